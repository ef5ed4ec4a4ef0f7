import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { openDatabase } from "./client.ts";

/** Where drizzle-kit writes migrations; the deploy bundles this folder beside the migrator function. */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("./migrations", import.meta.url));

/**
 * Applies every committed migration not yet applied, inside drizzle's own bookkeeping table. Safe to run on
 * every deploy and every local start: applied migrations are skipped.
 */
export const migrateDatabase = async (url: string, migrationsFolder = MIGRATIONS_FOLDER): Promise<void> => {
  const handle = openDatabase({ url, max: 1 });
  try {
    await migrate(handle.db, { migrationsFolder });
  } finally {
    await handle.close();
  }
};
