import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type { Sql } from "postgres";
import { recordAwsCall } from "../../adapters/aws/calls.ts";
import { type DatabaseHandle, openDatabase } from "../../adapters/postgres/client.ts";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import { readSecret } from "./secrets.ts";

/**
 * The database connection of a function that `needs: ["postgres"]`. Locally `DATABASE_URL` says it all; in AWS
 * the host, port and name come from the environment and the credentials from the RDS-managed master secret
 * (`DATABASE_SECRET_ARN`, JSON `{username, password}`), over TLS, which RDS enforces.
 */
export const databaseUrlFromEnv = async (env = process.env): Promise<{ url: string; ssl: boolean }> => {
  if (env.DATABASE_URL) {
    // Locally the URL holds the credentials; in AWS the function reads them from the secret: record that call.
    recordAwsCall({ service: "secretsmanager", action: "GetSecretValue", resource: "DATABASE_SECRET_ARN" });
    return { url: env.DATABASE_URL, ssl: false };
  }
  const host = env.DATABASE_HOST;
  if (!host) throw new Error("configuration: set DATABASE_HOST and DATABASE_SECRET_ARN (or DATABASE_URL locally)");
  const secret = JSON.parse(await readSecret("DATABASE_SECRET_ARN", "DATABASE_SECRET", env)) as {
    username?: string;
    password?: string;
  };
  if (!secret.username || !secret.password) throw new Error("DATABASE_SECRET_ARN: secret lacks username/password");
  const url = new URL(`postgres://${host}:${env.DATABASE_PORT ?? "5432"}/${env.DATABASE_NAME ?? "rendezvous"}`);
  url.username = encodeURIComponent(secret.username);
  url.password = encodeURIComponent(secret.password);
  return { url: url.toString(), ssl: true };
};

/** One small pool per warm Lambda: it serves one request at a time. */
export const openDatabaseFromEnv = async (env = process.env, max = 2): Promise<DatabaseHandle> => {
  const { url, ssl } = await databaseUrlFromEnv(env);
  return openDatabase({ url, ssl, max });
};

/**
 * Layers built on one pool per warm Lambda: opened on first use (a database that does not answer is
 * DependencyUnavailable, a 503), closed when the function's runtime is disposed.
 */
export const layerOnDatabase = <A, E, R>(
  build: (sql: Sql) => Layer.Layer<A, E, R>,
  env = process.env,
  connections = 2,
): Layer.Layer<A, E | DependencyUnavailable, R> =>
  Layer.unwrap(
    Effect.acquireRelease(
      Effect.tryPromise({
        try: () => openDatabaseFromEnv(env, connections),
        catch: (cause) => new DependencyUnavailable({ dependency: "database", cause }),
      }),
      (handle) => Effect.promise(() => handle.close()),
    ).pipe(Effect.map((handle) => build(handle.sql))),
  );
