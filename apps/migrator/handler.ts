import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { migrateDatabase } from "../../adapters/postgres/migrate.ts";
import type { RoleOptions } from "../../adapters/postgres/roles.ts";
import { describeError, makeLogger } from "../observe/log.ts";
import { type DatabaseConnection, rdsEndpointFromEnv, readLocalCredentials } from "../runtime/database.ts";

/**
 * Applies the committed migrations of every context, then creates the capability roles and re-applies their
 * grants (adapters/postgres/roles.ts). Invoked by `pulumi up` (an `aws.lambda.Invocation`) before the functions
 * that use the database change, and by the local runtime on start. Idempotent. A failure throws, so the deploy
 * stops there.
 *
 * It is the only connection as the master user. In AWS the deploy passes the master credentials in the payload,
 * `{"source":"rendezvous.deploy","masterCredentials":{"username":"…","password":"…"}}` (the Pulumi program reads
 * the RDS-managed secret at deploy time), so no function reads that secret at run time. Locally `DATABASE_URL`
 * is the local superuser, and the role passwords come from `LOCAL_DATABASE_CREDENTIALS`.
 */
const log = makeLogger({ function: "migrator" });

/**
 * In the Lambda bundle the deploy copies each context's migrations to `postgres/<context>/migrations` beside
 * `index.mjs`; run from source (locally), there is no such folder and migrate.ts finds them beside itself.
 */
export const bundledMigrationsRoot = (base: string | URL = import.meta.url): string | undefined => {
  const root = fileURLToPath(new URL("./postgres/", base));
  return existsSync(root) ? root : undefined;
};

/** The invocation payload's master credentials; a bad one names the field, never its value. */
export const masterCredentialsOf = (event: unknown): { username: string; password: string } => {
  const given = typeof event === "object" && event !== null ? (event as Record<string, unknown>) : {};
  const credentials = given.masterCredentials;
  if (typeof credentials !== "object" || credentials === null) {
    throw new Error("masterCredentials: expected {username, password} in the invocation payload");
  }
  const { username, password } = credentials as Record<string, unknown>;
  if (typeof username !== "string" || username === "") throw new Error("masterCredentials.username: expected text");
  if (typeof password !== "string" || password === "") throw new Error("masterCredentials.password: expected text");
  return { username, password };
};

/** The master connection and what to do with the roles, from the environment and the payload. */
const masterConnection = async (
  event: unknown,
  env: NodeJS.ProcessEnv,
): Promise<{ connection: DatabaseConnection; roles: RoleOptions }> => {
  if (env.DATABASE_URL) {
    const file = env.LOCAL_DATABASE_CREDENTIALS;
    return {
      connection: { url: env.DATABASE_URL },
      roles: file ? { passwords: await readLocalCredentials(file) } : {},
    };
  }
  const { url } = rdsEndpointFromEnv(env);
  const { username, password } = masterCredentialsOf(event);
  // RDS: the roles sign in with IAM tokens (rds_iam), so they get no password.
  return { connection: { url, username, password: async () => password, tls: {} }, roles: {} };
};

/** Migrates the database the environment names, from `root` (see bundledMigrationsRoot). */
export const runMigrations = async (
  event: unknown,
  env: NodeJS.ProcessEnv = process.env,
  root: string | undefined = bundledMigrationsRoot(),
): Promise<{ status: "migrated" }> => {
  const started = Date.now();
  const source =
    typeof event === "object" && event !== null && "source" in event ? String(event.source).slice(0, 100) : "direct";
  try {
    const { connection, roles } = await masterConnection(event, env);
    await migrateDatabase(connection, { roles, ...(root ? { root } : {}) });
    log.info("migrations applied", { source, duration_ms: Date.now() - started });
    return { status: "migrated" };
  } catch (error) {
    log.error("migrations failed", { source, ...describeError(error) });
    throw error;
  }
};

/** The Lambda handler: the deploy invokes it with the payload above. The payload itself is never logged. */
export const handler = (event: unknown) => runMigrations(event);
