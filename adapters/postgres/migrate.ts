import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import { type DatabaseOptions, openDatabase } from "./client.ts";
import { provisionRoles, type RoleOptions } from "./roles.ts";

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
 * Applies every committed migration not yet applied, then the capability roles and their grants (roles.ts), over
 * the master connection. Safe to run on every deploy and every local start: applied migrations are skipped and
 * the grants re-applied. `root` is the folder holding `<context>/migrations` (the bundle's copy in Lambda).
 */
export const migrateDatabase = async (
  connection: string | Omit<DatabaseOptions, "max">,
  options: { root?: string; roles?: RoleOptions } = {},
): Promise<void> => {
  const handle = openDatabase({ ...(typeof connection === "string" ? { url: connection } : connection), max: 1 });
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
    await provisionRoles(handle.sql, options.roles);
  } finally {
    await handle.close();
  }
};
