import type postgres from "postgres";

/**
 * One database role per capability, so a function holds only what its own queries need: the public matching
 * function cannot read a birthday, and no function can create, alter or drop a table. The migrator (the only
 * connection as the master user) creates the roles and re-applies these grants after every migration, so the
 * grants are exactly this table, whatever was granted before. A new table is granted nothing until it is listed
 * here (roles.test.ts fails until it is).
 */
export const CAPABILITIES = ["scheduling", "matching"] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** The database user a capability's functions connect as; in AWS also the IAM `rds-db:connect` resource. */
export const roleOf = (capability: Capability): string => `rendezvous_${capability}`;

export type Privilege = "SELECT" | "INSERT" | "UPDATE" | "DELETE";
export type Grants = Readonly<Record<Capability, Readonly<Record<string, readonly Privilege[]>>>>;

/** What the queries of adapters/postgres/<capability>/ do, table by table (`FOR UPDATE` needs UPDATE). */
export const GRANTS: Grants = {
  scheduling: {
    users: ["SELECT", "INSERT", "UPDATE"],
    yearly_events: ["SELECT", "INSERT", "UPDATE"],
    deliveries: ["SELECT", "INSERT", "UPDATE", "DELETE"],
  },
  matching: {
    intentions: ["SELECT", "INSERT", "UPDATE"],
    pool_entries: ["SELECT", "INSERT", "UPDATE", "DELETE"],
    matches: ["SELECT", "INSERT", "UPDATE"],
    match_members: ["SELECT", "INSERT", "UPDATE"],
    match_declines: ["INSERT"],
    match_feedback: ["SELECT", "INSERT", "UPDATE"], // ON CONFLICT (match_id, user_id) reads the key: SELECT
    matching_runs: ["INSERT"],
  },
};

export interface RoleOptions {
  /** Locally: each role's password by role name (`rendezvous_matching`). In AWS none: RDS IAM signs in. */
  readonly passwords?: Readonly<Record<string, string>>;
  readonly grants?: Grants;
}

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;
const literal = (value: string): string => `'${value.replaceAll("'", "''")}'`;

const isAlreadyThere = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && ["42710", "23505"].includes(String(error.code));

/**
 * The role exists with LOGIN and no power over the cluster. Written only when something differs, so a deploy
 * that changes nothing writes nothing to the shared catalog (and two databases migrating at once do not race).
 */
const ensureRole = async (sql: postgres.Sql, role: string): Promise<void> => {
  const [found] = await sql<
    { rolsuper: boolean; rolcanlogin: boolean; rolcreatedb: boolean; rolcreaterole: boolean }[]
  >`
    select rolsuper, rolcanlogin, rolcreatedb, rolcreaterole from pg_roles where rolname = ${role}`;
  if (!found) {
    await sql
      .unsafe(`CREATE ROLE ${ident(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`)
      .catch((error: unknown) => {
        if (!isAlreadyThere(error)) throw error; // created meanwhile by a concurrent migrator
      });
    return;
  }
  if (found.rolsuper) throw new Error(`role ${role} is a superuser: a capability role must not be; drop it and re-run`);
  if (!found.rolcanlogin || found.rolcreatedb || found.rolcreaterole) {
    await sql.unsafe(`ALTER ROLE ${ident(role)} LOGIN NOCREATEDB NOCREATEROLE`);
  }
};

/** Every privilege of every capability role revoked, then exactly `grants` given, in one transaction. */
const grantExactly = async (tx: postgres.TransactionSql, grants: Grants): Promise<void> => {
  const roles = CAPABILITIES.map((capability) => ident(roleOf(capability))).join(", ");
  const [{ name } = { name: "" }] = await tx<{ name: string }[]>`select current_database() as name`;
  // PUBLIC keeps nothing: no CONNECT to this database, no TEMP tables, no CREATE in the public schema.
  await tx.unsafe(`REVOKE ALL ON DATABASE ${ident(name)} FROM PUBLIC`);
  await tx.unsafe(`GRANT CONNECT ON DATABASE ${ident(name)} TO ${roles}`);
  await tx.unsafe("REVOKE CREATE ON SCHEMA public FROM PUBLIC");
  await tx.unsafe(`GRANT USAGE ON SCHEMA public TO ${roles}`);
  await tx.unsafe(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM ${roles}`);
  await tx.unsafe(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM ${roles}`);
  const tables = new Set(
    (await tx<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public'`).map(
      (row) => row.name,
    ),
  );
  const sequences = await tx<{ sequence: string; table: string }[]>`
    select seq.relname as sequence, tbl.relname as table from pg_depend d
    join pg_class seq on seq.oid = d.objid and seq.relkind = 'S'
    join pg_class tbl on tbl.oid = d.refobjid
    join pg_namespace n on n.oid = tbl.relnamespace and n.nspname = 'public'
    where d.classid = 'pg_class'::regclass and d.refclassid = 'pg_class'::regclass and d.deptype in ('a', 'i')`;
  for (const capability of CAPABILITIES) {
    for (const [table, privileges] of Object.entries(grants[capability])) {
      if (!tables.has(table)) continue; // not migrated yet (a partial bundle); granted once it exists
      const role = ident(roleOf(capability));
      await tx.unsafe(`GRANT ${privileges.join(", ")} ON public.${ident(table)} TO ${role}`);
      if (!privileges.includes("INSERT")) continue;
      for (const owned of sequences.filter((row) => row.table === table)) {
        await tx.unsafe(`GRANT USAGE ON SEQUENCE public.${ident(owned.sequence)} TO ${role}`);
      }
    }
  }
};

/**
 * Creates the capability roles, sets their passwords (locally) or grants them `rds_iam` (on RDS, where that role
 * exists and makes IAM tokens the only way in), and applies GRANTS. Idempotent: run after every migration.
 */
export const provisionRoles = async (sql: postgres.Sql, options: RoleOptions = {}): Promise<void> => {
  for (const capability of CAPABILITIES) await ensureRole(sql, roleOf(capability));
  for (const [role, password] of Object.entries(options.passwords ?? {})) {
    if (!CAPABILITIES.some((capability) => roleOf(capability) === role)) continue;
    if (password.length === 0 || password.includes("\0"))
      throw new Error(`the password of ${role} is empty or invalid`);
    await sql.unsafe(`ALTER ROLE ${ident(role)} PASSWORD ${literal(password)}`);
  }
  const [iam] = await sql`select 1 from pg_roles where rolname = 'rds_iam'`;
  if (iam) {
    for (const capability of CAPABILITIES) await sql.unsafe(`GRANT rds_iam TO ${ident(roleOf(capability))}`);
  }
  await sql.begin((tx) => grantExactly(tx, options.grants ?? GRANTS));
};
