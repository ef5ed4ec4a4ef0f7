import { checkServerIdentity } from "node:tls";
import { drizzle, type PostgresJsDatabase } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema.ts";

export type Database = PostgresJsDatabase<typeof schema>;

/**
 * TLS that verifies the server: its certificate chains to a trusted root and names the host connected to
 * (libpq's `verify-full`). The roots are Node's, plus `NODE_EXTRA_CA_CERTS` (how Lambda adds the RDS CAs);
 * `ca` replaces them (tests, with their own throwaway CA).
 */
export interface VerifiedTls {
  readonly ca?: string;
}

export interface DatabaseOptions {
  /** Host, port and database; a user and password in it serve when `username`/`password` are not given. */
  readonly url: string;
  readonly username?: string;
  /**
   * Asked for on every new connection, never cached here: an RDS IAM token (valid 15 minutes) or a password
   * that may have been rotated since the pool opened. It must not reject (postgres.js would leave the rejection
   * unhandled): give the server a wrong password instead, and the connection fails as an authentication error.
   */
  readonly password?: () => Promise<string>;
  /** Connections in the pool. A Lambda serves one request at a time, so 1-2 is right there. @default 4 */
  readonly max?: number;
  /** Verified TLS (RDS); absent, plaintext (the local engine, on 127.0.0.1 only). */
  readonly tls?: VerifiedTls;
}

export interface DatabaseHandle {
  readonly sql: postgres.Sql;
  readonly db: Database;
  close(): Promise<void>;
}

/**
 * Node's TLS options for `verify-full`. The host check is ours: postgres.js passes no host to Node for an IP
 * address, and Node then checks the certificate against "localhost" instead of the address connected to.
 */
const verifiedTls = (url: string, tls: VerifiedTls) => {
  const host = new URL(url).hostname.replace(/^\[(.*)\]$/, "$1");
  return {
    rejectUnauthorized: true,
    ...(tls.ca ? { ca: tls.ca } : {}),
    checkServerIdentity: (_servername: string, certificate: Parameters<typeof checkServerIdentity>[1]) =>
      checkServerIdentity(host, certificate),
  };
};

/** One postgres.js pool and its drizzle view. Notices are dropped: they are not errors and only add noise. */
export const openDatabase = (options: DatabaseOptions): DatabaseHandle => {
  const sql = postgres(options.url, {
    max: options.max ?? 4,
    ssl: options.tls ? verifiedTls(options.url, options.tls) : false,
    ...(options.username ? { username: options.username } : {}),
    ...(options.password ? { password: options.password } : {}),
    onnotice: () => {},
    connect_timeout: 10,
    idle_timeout: 60,
  });
  return { sql, db: drizzle(sql, { schema }), close: () => sql.end({ timeout: 5 }) };
};
