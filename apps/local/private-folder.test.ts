import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SHARED_STATE_ROOT } from "./data-dir.ts";
import { call } from "./e2e/client.ts";
import { killAll, type NpmStart, npmStart, outputsIn, portBaseBelowEphemeral } from "./fixtures/npm-start.ts";
import { PROJECT_ROOT } from "./runtime.ts";

/**
 * A checkout inside a 0700 folder (a clone in /root or in `mktemp -d`), started as root: PostgreSQL runs as the
 * postgres user, which cannot enter that folder, so its cluster is kept under /var/lib/rendezvous, the start says
 * where, and a second start finds the data again.
 *
 * The checkout is this one copied with `cp -al` (hard links: instant, no disk), minus .git, .rendezvous and
 * node_modules/.cache: `npm ci` there would take most of a minute and test npm, not us. The bundle cache is left
 * out because start.mjs writes its files there and a hard link would share them with this checkout's.
 */
const asRoot = process.getuid?.() === 0;
const privateFolder = mkdtempSync(join(tmpdir(), "rendezvous-private-"));
const clone = join(privateFolder, "rendezvous");
const dataDir = join(clone, ".rendezvous");
const args = ["--port-base", String(portBaseBelowEphemeral(40))];
const started: NpmStart[] = [];
let postgresDir = join(dataDir, "postgres");
afterAll(async () => {
  await killAll(started, postgresDir);
  if (postgresDir.startsWith(`${SHARED_STATE_ROOT}/`)) rmSync(dirname(postgresDir), { recursive: true, force: true });
  rmSync(privateFolder, { recursive: true, force: true });
});

const linkCopy = (from: string, to: string, skip: readonly string[]): void => {
  mkdirSync(to, { recursive: true });
  const entries = readdirSync(from).filter((name) => !skip.includes(name));
  if (entries.length > 0) execFileSync("cp", ["-al", ...entries.map((name) => join(from, name)), to]);
};

describe.runIf(asRoot)("npm start as root in a private folder", () => {
  it("keeps PostgreSQL's data where the postgres user reaches it, says where, and finds it again", {
    timeout: 180_000,
  }, async () => {
    expect(statSync(privateFolder).mode & 0o777).toBe(0o700);
    linkCopy(PROJECT_ROOT, clone, [".git", ".rendezvous", "node_modules"]);
    linkCopy(join(PROJECT_ROOT, "node_modules"), join(clone, "node_modules"), [".cache"]);
    const scripts = JSON.parse(readFileSync(join(clone, "package.json"), "utf8")).scripts;
    expect(scripts.start).toBe("node apps/local/start.mjs"); // what npmStart runs

    const first = npmStart(clone, args);
    started.push(first);
    await first.ready();
    postgresDir = readlinkSync(join(dataDir, "postgres"));
    expect(postgresDir).toMatch(new RegExp(`^${SHARED_STATE_ROOT}/[0-9a-f]{16}/postgres$`));
    expect(first.output()).toMatch(new RegExp(`postgres data +${postgresDir}`));
    const scheduling = outputsIn(dataDir).urls.scheduling ?? "";
    expect((await call(scheduling, "GET", "/health")).body).toMatchObject({ status: "healthy" });
    const created = await call(scheduling, "POST", "/users", {
      body: { first_name: "Grace", last_name: "Private", birthday: "1906-12-09", timezone: "America/New_York" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(await first.signal("SIGINT"), first.output().slice(-2000)).toBe(0);

    const second = npmStart(clone, args);
    started.push(second);
    await second.ready();
    const id = (created.body as { id: string }).id;
    const read = await call(outputsIn(dataDir).urls.scheduling ?? "", "GET", `/users/${id}`);
    expect(read.body).toMatchObject({ id, first_name: "Grace" });
    expect(await second.signal("SIGINT"), second.output().slice(-2000)).toBe(0);
  });
});
