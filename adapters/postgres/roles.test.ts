import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { freshDatabase, roleUrl } from "../local-engines/testing.ts";
import { migrateDatabase } from "./migrate.ts";
import { CAPABILITIES, type Capability, GRANTS, provisionRoles, roleOf } from "./roles.ts";

/**
 * The capability roles on the real engine, as the migrator leaves them. What each role's functions do is proven
 * by their own suites running as it (apps/scheduling/pipeline-testing.ts, the scheduling API handler tests,
 * apps/matching/postgres.test.ts); this file proves what the roles cannot do and that the grants are exactly
 * GRANTS, however often the migrator runs.
 */
const url = await freshDatabase({ migrate: true });
const pools: postgres.Sql[] = [];
const connect = (to: string) => {
  const sql = postgres(to, { max: 1, onnotice: () => {} });
  pools.push(sql);
  return sql;
};
afterAll(() => Promise.all(pools.map((sql) => sql.end())));
const admin = connect(url);
const as = { scheduling: connect(roleUrl(url, "scheduling")), matching: connect(roleUrl(url, "matching")) };

const refusal = (query: Promise<unknown>) =>
  query.then(
    () => "allowed",
    (error: { code?: string }) => error.code,
  );

/** Table privileges each role holds now, as `{table: [privileges]}`, read from the catalog. */
const grantsOf = async (capability: Capability) => {
  const rows = await admin<{ table: string; privilege: string }[]>`
    select table_name as table, privilege_type as privilege from information_schema.role_table_grants
    where grantee = ${roleOf(capability)} and table_schema = 'public' order by table_name, privilege_type`;
  const grants: Record<string, string[]> = {};
  for (const row of rows) grants[row.table] = [...(grants[row.table] ?? []), row.privilege];
  return grants;
};
const expected = (capability: Capability) =>
  Object.fromEntries(Object.entries(GRANTS[capability]).map(([table, privileges]) => [table, [...privileges].sort()]));

describe("the capability roles", () => {
  it("log in, and hold no power over the cluster", async () => {
    const rows = await admin`
      select rolname, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls, rolcanlogin from pg_roles
      where rolname = any(${CAPABILITIES.map(roleOf)}) order by rolname`;
    expect(rows).toEqual(
      ["rendezvous_matching", "rendezvous_scheduling"].map((rolname) => ({
        rolname,
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolreplication: false,
        rolbypassrls: false,
        rolcanlogin: true,
      })),
    );
  });

  it("hold exactly GRANTS, and every table the migrations create belongs to a capability", async () => {
    for (const capability of CAPABILITIES) expect(await grantsOf(capability)).toEqual(expected(capability));
    const tables = await admin<{ name: string }[]>`select tablename as name from pg_tables where schemaname = 'public'`;
    const granted = CAPABILITIES.flatMap((capability) => Object.keys(GRANTS[capability]));
    expect(tables.map((row) => row.name).sort()).toEqual([...granted].sort());
  });

  it("cannot read or touch the other capability's tables", async () => {
    for (const table of ["users", "yearly_events", "deliveries"]) {
      expect(await refusal(as.matching.unsafe(`select 1 from ${table} limit 1`))).toBe("42501");
    }
    for (const table of ["intentions", "pool_entries", "matches", "match_feedback"]) {
      expect(await refusal(as.scheduling.unsafe(`select 1 from ${table} limit 1`))).toBe("42501");
    }
    expect(await refusal(as.matching`delete from deliveries`)).toBe("42501");
  });

  it("cannot create, alter, drop or truncate tables, make temporary ones, or read the migration history", async () => {
    for (const sql of Object.values(as)) {
      expect(await refusal(sql`create table intruder (id int)`)).toBe("42501");
      expect(await refusal(sql`create temporary table intruder (id int)`)).toBe("42501");
      expect(await refusal(sql`create schema intruder`)).toBe("42501");
      expect(await refusal(sql`select 1 from drizzle.migrations_scheduling`)).toBe("42501");
    }
    expect(await refusal(as.scheduling`drop table deliveries`)).toBe("42501");
    expect(await refusal(as.scheduling`alter table users add column spy text`)).toBe("42501");
    expect(await refusal(as.scheduling`truncate deliveries`)).toBe("42501");
    expect(await refusal(as.matching`drop table matches`)).toBe("42501");
    expect(await refusal(as.matching`select * from match_declines`)).toBe("42501");
  });

  it("are re-granted exactly on every run: a stray grant is revoked, a missing one restored", async () => {
    await admin`grant all on users to rendezvous_matching`;
    await admin`revoke insert on deliveries from rendezvous_scheduling`;
    await migrateDatabase(url);
    await provisionRoles(admin);
    for (const capability of CAPABILITIES) expect(await grantsOf(capability)).toEqual(expected(capability));
    expect(await refusal(as.matching`select 1 from users limit 1`)).toBe("42501");
  });

  it("get USAGE on the sequences of tables they insert into, and nothing on others", async () => {
    const probe = await freshDatabase();
    const sql = connect(probe);
    await sql`create table counted (id serial primary key, note text)`;
    await sql`create table tallied (id serial primary key)`;
    await provisionRoles(sql, {
      grants: { scheduling: { counted: ["SELECT", "INSERT"] }, matching: { tallied: ["SELECT"] } },
    });
    const scheduling = connect(roleUrl(probe, "scheduling"));
    await expect(scheduling`insert into counted (note) values ('x') returning id`).resolves.toEqual([{ id: 1 }]);
    const matching = connect(roleUrl(probe, "matching"));
    expect(await refusal(matching`select nextval('tallied_id_seq')`)).toBe("42501");
  });
});
