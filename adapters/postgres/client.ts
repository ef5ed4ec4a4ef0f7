import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema.ts";

export type Database = PostgresJsDatabase<typeof schema>;

export interface DatabaseOptions {
  readonly url: string;
  /** Connections in the pool. A Lambda serves one request at a time, so 1-2 is right there. @default 4 */
  readonly max?: number;
  /** TLS: `require` against RDS (which enforces it), off for the local engine. @default false */
  readonly ssl?: boolean;
}

export interface DatabaseHandle {
  readonly sql: postgres.Sql;
  readonly db: Database;
  close(): Promise<void>;
}

/** One postgres.js pool and its drizzle view. Notices are dropped: they are not errors and only add noise. */
export const openDatabase = (options: DatabaseOptions): DatabaseHandle => {
  const sql = postgres(options.url, {
    max: options.max ?? 4,
    ssl: options.ssl ? "require" : false,
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 60,
  });
  return { sql, db: drizzle(sql, { schema }), close: () => sql.end({ timeout: 5 }) };
};
