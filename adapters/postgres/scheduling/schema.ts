/**
 * The scheduling context's tables. drizzle-kit reads this file (drizzle.config.ts beside it) and writes the SQL
 * migrations committed in ./migrations; adapters/postgres/migrate.ts applies them.
 */
export {};
