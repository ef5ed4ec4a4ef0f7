import { chmodSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as ManagedRuntime from "effect/ManagedRuntime";
import postgres from "postgres";
import { afterAll, describe, expect, it, vi } from "vitest";
import { freePort } from "../../adapters/local-engines/ports.ts";
import { startPostgres } from "../../adapters/local-engines/postgres.ts";
import { bodyOf, type UrlRequest, urlEvent } from "../http/testing.ts";
import { runMigrations } from "../migrator/handler.ts";
import { makeLogger } from "../observe/log.ts";
import { makeSchedulingHandler } from "../scheduling/routes.ts";
import { apiLayerFromEnv } from "./scheduling.ts";

/**
 * Issue 14's rotation test. A warm scheduling API (its runtime built once, as at a Lambda cold start) on a local
 * engine of its own that, like RDS, makes every role but the superuser sign in with its password. Mid-run the
 * role's password changes and its connections are cut: the next requests succeed without a restart, because
 * every new connection reads the credential again.
 */
vi.spyOn(process.stdout, "write").mockImplementation(() => true); // the migrator's and credential logs
const dir = mkdtempSync(join(tmpdir(), "rendezvous-rotation-"));
chmodSync(dir, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data dir
const port = await freePort();
const server = await startPostgres({
  dataDir: join(dir, "pg"),
  port,
  ephemeral: true,
  reuseInitdb: true,
  passwordAuth: true,
});
const admin = postgres(server.url, { max: 1, onnotice: () => {} });
await admin`create database rendezvous`;

const credentials = join(dir, "database-credentials.json");
const writePasswords = (scheduling: string) =>
  writeFileSync(credentials, JSON.stringify({ rendezvous_scheduling: scheduling, rendezvous_matching: "m-first" }));
writePasswords("s-first");
const databaseUrl = server.url.replace(/\/postgres$/, "/rendezvous");
const env = { DATABASE_URL: databaseUrl, LOCAL_DATABASE_CREDENTIALS: credentials };
await runMigrations({ source: "test" }, env); // creates the roles with the passwords in the file

const runtime = ManagedRuntime.make(apiLayerFromEnv(env));
const handler = makeSchedulingHandler(
  runtime,
  makeLogger({}, () => {}),
);
const call = async (request: UrlRequest) => {
  const result = await handler(urlEvent(request));
  return { status: result.statusCode, body: bodyOf(result) as Record<string, unknown> };
};
afterAll(async () => {
  await runtime.dispose();
  await admin.end();
  await server.stop();
  rmSync(dir, { recursive: true, force: true });
});

const ada = { first_name: "Ada", last_name: "Lovelace", birthday: "1990-12-10", timezone: "Europe/London" };

const backendsOf = async (user: string) =>
  (await admin<{ pid: number }[]>`select pid from pg_stat_activity where usename = ${user}`).map((row) => row.pid);

/**
 * Cuts every connection of the role, waiting until each backend is gone, so the next requests need new ones. The
 * extra turn of the event loop lets the pool read the goodbye already on its sockets before a request reuses one.
 */
const cutConnections = async (user: string) => {
  await admin`select pg_terminate_backend(pid, 5000) from pg_stat_activity where usename = ${user}`;
  await new Promise((resolve) => setImmediate(resolve));
};

/** Whether the server lets the role in with this password (a fresh connection of its own). */
const signsIn = async (password: string) => {
  const sql = postgres(databaseUrl, { username: "rendezvous_scheduling", password, max: 1, onnotice: () => {} });
  try {
    await sql`select 1`;
    return "signed in";
  } catch (error) {
    return (error as { code?: string }).code;
  } finally {
    await sql.end();
  }
};

describe("a warm function across a password rotation", () => {
  it("keeps answering after its role's password changes and its connections are cut", async () => {
    const created = await call({ method: "POST", path: "/users", body: ada });
    expect(created.status).toBe(201);
    const before = await backendsOf("rendezvous_scheduling");
    expect(before.length).toBeGreaterThan(0);

    await admin`alter role rendezvous_scheduling password 's-second'`;
    writePasswords("s-second");
    await cutConnections("rendezvous_scheduling");

    expect((await call({ path: `/users/${created.body.id}` })).status).toBe(200);
    expect((await call({ method: "POST", path: "/users", body: { ...ada, first_name: "Augusta" } })).status).toBe(201);
    const after = await backendsOf("rendezvous_scheduling");
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((pid) => before.includes(pid))).toEqual([]); // new connections, with the new password
    expect(await signsIn("s-first")).toBe("28P01"); // the rotation happened: the old password is refused
    expect(await signsIn("s-second")).toBe("signed in");
  });

  it("answers 503 while the credential cannot be read, never crashing, and recovers once it can", async () => {
    const created = await call({ method: "POST", path: "/users", body: { ...ada, first_name: "Byron" } });
    renameSync(credentials, `${credentials}.away`);
    await cutConnections("rendezvous_scheduling");
    const refused = await call({ path: `/users/${created.body.id}` });
    expect(refused).toMatchObject({ status: 503, body: { error: { code: "dependency_unavailable" } } });
    renameSync(`${credentials}.away`, credentials);
    expect((await call({ path: `/users/${created.body.id}` })).status).toBe(200);
  });

  it("grants the roles rds_iam where that role exists, as on RDS, on the migrator's next run", async () => {
    await admin`create role rds_iam`;
    await runMigrations({ source: "test" }, env);
    const members = await admin<{ member: string }[]>`
      select m.rolname as member from pg_auth_members a join pg_roles r on r.oid = a.roleid
      join pg_roles m on m.oid = a.member where r.rolname = 'rds_iam' order by 1`;
    expect(members.map((row) => row.member)).toEqual(["rendezvous_matching", "rendezvous_scheduling"]);
  });
});
