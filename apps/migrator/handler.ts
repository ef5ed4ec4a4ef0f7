import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { migrateDatabase } from "../../adapters/postgres/migrate.ts";
import { describeError, makeLogger } from "../http/log.ts";
import { databaseUrlFromEnv } from "../runtime/database.ts";

/**
 * Applies the committed migrations of every context. Invoked by `pulumi up` (an `aws.lambda.Invocation`) before
 * the functions that use the database change, and by the local runtime on start. Idempotent: applied migrations
 * are skipped. A failure throws, so the deploy stops there.
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

/** Migrates the database the environment names, from `root` (see bundledMigrationsRoot). */
export const runMigrations = async (
  source: string,
  env: NodeJS.ProcessEnv = process.env,
  root: string | undefined = bundledMigrationsRoot(),
): Promise<{ status: "migrated" }> => {
  const started = Date.now();
  try {
    const { url, ssl } = await databaseUrlFromEnv(env);
    await migrateDatabase(url, { ssl, ...(root ? { root } : {}) });
    log.info("migrations applied", { source, duration_ms: Date.now() - started });
    return { status: "migrated" };
  } catch (error) {
    log.error("migrations failed", { source, ...describeError(error) });
    throw error;
  }
};

/** The Lambda handler: the deploy invokes it with `{"source":"rendezvous.deploy"}`. */
export const handler = (event: unknown) =>
  runMigrations(typeof event === "object" && event !== null && "source" in event ? String(event.source) : "direct");
