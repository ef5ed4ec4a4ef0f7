import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
// Alive and not a zombie: in a container whose pid 1 does not reap, a stopped orphan lingers as one.
import { isAlive } from "../../adapters/local-engines/postgres-orphan.ts";
import { call } from "./e2e/client.ts";
import { killAll, type NpmStart, npmStart, outputsIn, portBaseBelowEphemeral } from "./fixtures/npm-start.ts";

/**
 * `kill -9` of `npm start`, then `npm start` on the same data dir and ports: it stops the PostgreSQL the killed one
 * left running (found by its pid file), becomes ready, and what was written before the kill is still there, in
 * PostgreSQL (a scheduling user) and in dynalite (a session).
 */
const dataDir = mkdtempSync(join(tmpdir(), "rendezvous-crash-"));
const postgresDir = join(dataDir, "postgres");
// Slot 20 of the block of 80: never the ports of the other spawned runtimes (smoke 0, private folder 40, flows 60).
const args = ["--data-dir", dataDir, "--port-base", String(portBaseBelowEphemeral(20))];
const started: NpmStart[] = [];
afterAll(async () => {
  await killAll(started, postgresDir);
  rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start after kill -9", () => {
  it("comes back on the same data dir with its data", { timeout: 180_000 }, async () => {
    const first = npmStart(process.cwd(), args);
    started.push(first);
    await first.ready();
    const before = outputsIn(dataDir);
    const created = await call(before.urls.scheduling ?? "", "POST", "/users", {
      body: { first_name: "Ada", last_name: "Crash", birthday: "1990-12-10", timezone: "Europe/London" },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const user = created.body as { id: string };
    const token = await call(before.controlUrl, "POST", "/_local/id-token", { body: { sub: "crash-user" } });
    const idToken = (token.body as { id_token: string }).id_token;
    const session = await call(before.urls.sessions ?? "", "POST", "/auth/session", {
      body: { provider: "local", id_token: idToken },
    });
    expect(session.status).toBe(201);
    const sessionId = (session.body as { session_id: string }).session_id;

    expect(await first.signal("SIGKILL")).toBeNull();
    // The point of the test: the killed start's PostgreSQL lives on, holding its port.
    const orphan = Number(readFileSync(join(postgresDir, "postmaster.pid"), "utf8").split("\n")[0]);
    expect(isAlive(orphan)).toBe(true);

    const second = npmStart(process.cwd(), args);
    started.push(second);
    await second.ready();
    expect(second.output()).toContain(`stopped PostgreSQL pid ${orphan}, left running on ${postgresDir}`);
    expect(isAlive(orphan)).toBe(false);
    const after = outputsIn(dataDir);
    expect(after.urls).toEqual(before.urls);
    const read = await call(after.urls.scheduling ?? "", "GET", `/users/${user.id}`);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ id: user.id, first_name: "Ada", last_name: "Crash" });
    const valid = await call(after.urls.sessions ?? "", "POST", "/auth/validate", { body: { session_id: sessionId } });
    expect(valid.body).toMatchObject({ valid: true, user_id: "crash-user" });

    expect(await second.signal("SIGINT"), second.output().slice(-2000)).toBe(0);
    expect(existsSync(join(postgresDir, "postmaster.pid"))).toBe(false);
  });
});
