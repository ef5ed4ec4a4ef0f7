import { readFile } from "node:fs/promises";
import { Signer } from "@aws-sdk/rds-signer";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Schema from "effect/Schema";
import type { Sql } from "postgres";
import { recordAwsCall } from "../../adapters/aws/calls.ts";
import { type DatabaseOptions, openDatabase } from "../../adapters/postgres/client.ts";
import { type Capability, roleOf } from "../../adapters/postgres/roles.ts";
import { describeError, type Logger, makeLogger } from "../observe/log.ts";
import { registerSecret } from "../observe/redact.ts";
import { awsRegion, ConfigError, readEnv } from "./env.ts";

/**
 * How a capability's functions reach Postgres: as the capability's own role (`rendezvous_<capability>`, created
 * and granted by the migrator), with a credential obtained for every new connection, so a rotation never locks a
 * warm function out.
 *
 * - In AWS (`DATABASE_HOST`, `DATABASE_PORT`, `DATABASE_NAME`): an RDS IAM auth token signed locally with the
 *   function's own IAM credentials (no network call, valid 15 minutes, needs `rds-db:connect` on the role's
 *   dbuser ARN), over TLS that verifies the server certificate (the RDS CA from `NODE_EXTRA_CA_CERTS`).
 * - Locally (`DATABASE_URL` gives host, port and database; its user is the migrator's superuser): the role's
 *   password, read from the JSON file at `LOCAL_DATABASE_CREDENTIALS` for every new connection.
 */
type Env = Record<string, string | undefined>;
export type DatabaseConnection = Omit<DatabaseOptions, "max">;

const AwsDatabaseEnv = Schema.Struct({
  DATABASE_HOST: Schema.String.check(Schema.isMinLength(1)),
  DATABASE_PORT: Schema.optionalKey(
    Schema.String.check(Schema.makeFilter((v: string) => /^\d{1,5}$/.test(v) || "expected a port number")),
  ),
  DATABASE_NAME: Schema.optionalKey(Schema.String.check(Schema.isMinLength(1))),
});

/** Host, port and database of the RDS instance, for the runtime roles and the migrator's master connection. */
export const rdsEndpointFromEnv = (env: Env = process.env) => {
  const decoded = readEnv(AwsDatabaseEnv, env);
  const port = Number(decoded.DATABASE_PORT ?? "5432");
  const database = decoded.DATABASE_NAME ?? "rendezvous";
  return { host: decoded.DATABASE_HOST, port, url: `postgres://${decoded.DATABASE_HOST}:${port}/${database}` };
};

/** The local credential file: `{"rendezvous_scheduling":"<password>", ...}` (apps/local writes it). */
export const readLocalCredentials = async (file: string): Promise<Record<string, string>> => {
  const parsed: unknown = JSON.parse(await readFile(file, "utf8"));
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new Error(`LOCAL_DATABASE_CREDENTIALS: ${file} is not a JSON object of role passwords`);
  }
  return Object.fromEntries(
    Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
};

/**
 * postgres.js leaves a rejected password function unhandled (it calls it from a socket handler), which would take
 * the whole process down. A credential that cannot be had is logged, and the server gets a password that fails:
 * the query then fails as the database being unavailable (a 503), and the next connection asks again.
 */
const neverRejecting =
  (user: string, get: () => Promise<string>, log: Logger): (() => Promise<string>) =>
  async () => {
    try {
      const secret = await get();
      // Whatever a driver says later, this value never reaches a log line.
      registerSecret(secret);
      return secret;
    } catch (error) {
      log.error("database credential unavailable", { user, ...describeError(error) });
      return "";
    }
  };

/** The connection a capability's functions use, decoded at cold start (a ConfigError names what is missing). */
export const databaseConnectionFromEnv = (
  capability: Capability,
  env: Env = process.env,
  log: Logger = makeLogger({ component: "database" }),
): DatabaseConnection => {
  const username = roleOf(capability);
  // Every new connection is an `rds-db:connect` in AWS: recorded here for the local proof of the IAM policies.
  const credential = (get: () => Promise<string>) =>
    neverRejecting(
      username,
      () => {
        recordAwsCall({ service: "rds-db", action: "connect", resource: username });
        return get();
      },
      log,
    );
  if (env.DATABASE_URL) {
    const file = env.LOCAL_DATABASE_CREDENTIALS;
    if (!file) {
      throw new ConfigError("invalid configuration: LOCAL_DATABASE_CREDENTIALS: set it beside DATABASE_URL");
    }
    const password = async () => {
      const found = (await readLocalCredentials(file))[username];
      if (!found) throw new Error(`LOCAL_DATABASE_CREDENTIALS: no password for ${username} in ${file}`);
      return found;
    };
    return { url: env.DATABASE_URL, username, password: credential(password) };
  }
  const { host, port, url } = rdsEndpointFromEnv(env);
  // Signing needs only the function's credentials (from its environment): no call leaves the function.
  const signer = new Signer({ hostname: host, port, username, region: awsRegion(env) });
  return { url, username, password: credential(() => signer.getAuthToken()), tls: {} };
};

/**
 * Layers built on one small pool per warm Lambda, as `capability`'s role: the connection settings are decoded at
 * cold start, the pool connects on first use (a database that does not answer is DependencyUnavailable, a 503,
 * from the adapters) and is closed when the function's runtime is disposed.
 */
export const layerOnDatabase = <A, E, R>(
  capability: Capability,
  build: (sql: Sql) => Layer.Layer<A, E, R>,
  env: Env = process.env,
  connections = 2,
): Layer.Layer<A, E, R> => {
  const connection = databaseConnectionFromEnv(capability, env);
  return Layer.unwrap(
    Effect.acquireRelease(
      Effect.sync(() => openDatabase({ ...connection, max: connections })),
      (handle) => Effect.promise(() => handle.close()),
    ).pipe(Effect.map((handle) => build(handle.sql))),
  );
};
