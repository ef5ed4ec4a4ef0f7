import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import postgres from "postgres";
import { afterAll, describe, expect, it, vi } from "vitest";
import { freshDatabase } from "../../adapters/local-engines/testing.ts";
import { platformFunctions } from "./functions.ts";
import { bundledMigrationsRoot, masterCredentialsOf, runMigrations } from "./handler.ts";

/** A bundle folder as the deploy lays it out: `index.mjs` beside `postgres/<context>/migrations`. */
const fakeBundle = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "migrator-"));
  const migrations = join(dir, "postgres", "scheduling", "migrations");
  mkdirSync(join(migrations, "meta"), { recursive: true });
  writeFileSync(
    join(migrations, "meta", "_journal.json"),
    JSON.stringify({
      version: "7",
      dialect: "postgresql",
      entries: [{ idx: 0, version: "7", when: 1_700_000_000_000, tag: "0000_probe", breakpoints: true }],
    }),
  );
  writeFileSync(join(migrations, "0000_probe.sql"), "CREATE TABLE migrator_probe (id integer PRIMARY KEY);");
  return dir;
};

describe("the migrator", () => {
  const handles: postgres.Sql[] = [];
  afterAll(async () => Promise.all(handles.map((sql) => sql.end())));

  it("applies the bundled migrations once, and a second run changes nothing", async () => {
    const url = await freshDatabase();
    const bundle = fakeBundle();
    const root = bundledMigrationsRoot(pathToFileURL(join(bundle, "index.mjs")));
    expect(root).toBe(`${join(bundle, "postgres")}/`);
    await expect(runMigrations({ source: "test" }, { DATABASE_URL: url }, root)).resolves.toEqual({
      status: "migrated",
    });
    await expect(runMigrations({ source: "test" }, { DATABASE_URL: url }, root)).resolves.toEqual({
      status: "migrated",
    });
    const sql = postgres(url, { max: 1, onnotice: () => {} });
    handles.push(sql);
    const applied = await sql`SELECT count(*)::int AS n FROM drizzle.migrations_scheduling`;
    expect(applied[0]?.n).toBe(1);
    await expect(sql`SELECT count(*)::int AS n FROM migrator_probe`).resolves.toEqual([{ n: 0 }]);
  });

  it("applies the committed migrations when run from source (no bundle folder)", async () => {
    expect(bundledMigrationsRoot()).toBeUndefined();
    const url = await freshDatabase();
    await expect(runMigrations({ source: "test" }, { DATABASE_URL: url })).resolves.toEqual({ status: "migrated" });
  });

  it("in AWS takes the master credentials from its payload only, naming a bad field but never a value", async () => {
    const written: string[] = [];
    vi.spyOn(process.stdout, "write").mockImplementation((line) => written.push(String(line)) > 0);
    const aws = { DATABASE_HOST: "db.internal" };
    await expect(runMigrations({ source: "rendezvous.deploy" }, aws)).rejects.toThrow(/^masterCredentials: expected/);
    const badPassword = { masterCredentials: { username: "master", password: 31415926 } };
    await expect(runMigrations(badPassword, aws)).rejects.toThrow(/^masterCredentials\.password: expected text$/);
    expect(() => masterCredentialsOf({ masterCredentials: { password: "s3cret" } })).toThrow(/username/);
    expect(masterCredentialsOf({ masterCredentials: { username: "master", password: "s3cret" } })).toEqual({
      username: "master",
      password: "s3cret",
    });
    vi.restoreAllMocks();
    expect(written.join("")).toContain("migrations failed");
    expect(written.join("")).not.toMatch(/31415926|s3cret/);
  });

  it("fails, naming the variables, when the environment names no database", async () => {
    await expect(runMigrations({ source: "test" }, {})).rejects.toThrow(/DATABASE_HOST/);
  });

  it("is listed in the manifest as a deploy-time function that copies every context's migrations", () => {
    const [migrator] = platformFunctions;
    expect(migrator?.triggers).toEqual([{ kind: "deploy" }]);
    expect(migrator?.needs).toEqual(["postgres:admin"]);
    expect(migrator?.assets?.map((a) => a.from).sort()).toEqual([
      "adapters/postgres/matching/migrations",
      "adapters/postgres/scheduling/migrations",
    ]);
  });
});
