import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { openDatabase } from "./client.ts";

/**
 * One migration history per context, each in its own folder and bookkeeping table, so two contexts can add
 * tables independently. Order matters only if a context ever references another's tables (none do).
 */
export const MIGRATION_SETS = ["scheduling", "matching"] as const;
export type MigrationSet = (typeof MIGRATION_SETS)[number];

/** Where drizzle-kit writes a context's migrations; the deploy copies these folders beside the migrator. */
export const migrationsFolder = (set: MigrationSet, root = fileURLToPath(new URL(".", import.meta.url))): string =>
  `${root.replace(/\/$/, "")}/${set}/migrations`;

/**
 * Applies every committed migration not yet applied. Safe to run on every deploy and every local start: applied
 * migrations are skipped. `root` is the folder holding `<context>/migrations` (the bundle's copy in Lambda).
 */
export const migrateDatabase = async (url: string, options: { root?: string; ssl?: boolean } = {}): Promise<void> => {
  const handle = openDatabase({ url, max: 1, ssl: options.ssl ?? false });
  try {
    for (const set of MIGRATION_SETS) {
      const folder = migrationsFolder(set, options.root);
      if (!existsSync(`${folder}/meta/_journal.json`)) continue;
      await migrate(handle.db, {
        migrationsFolder: folder,
        migrationsTable: `migrations_${set}`,
        migrationsSchema: "drizzle",
      });
    }
  } finally {
    await handle.close();
  }
};
