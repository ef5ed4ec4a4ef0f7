import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { ReceivedWebhook } from "../../../adapters/webhook/receiver.ts";
import type { LocalOutputs } from "../outputs.ts";
import { PROJECT_ROOT } from "../runtime.ts";
import { call } from "./client.ts";

/**
 * Issue 10's kill test: `npm start` in a child process, 300 birthdays due at once, and the runtime killed with
 * SIGKILL at seeded random points of their dispatch, three times, each time restarted on the same data dir (its
 * in-memory queue lost). Then the clock moves past the recovery threshold and the scheduler runs until nothing is
 * left. Every due delivery must reach the receiver, none missing and none under two webhook-ids; a repeat (a kill
 * between the receiver's answer and the dispatcher's record) carries the same webhook-id. The receiver's log is
 * kept in the data dir (webhooks.jsonl), written before it answers, so the kills lose none of it.
 */
const USERS = 300;
const ROUNDS = 3;
const dataDir = mkdtempSync(join(tmpdir(), "rendezvous-kill-"));
const webhookLog = join(dataDir, "webhooks.jsonl");
let child: ChildProcess | undefined;
/** This test's own bundle folder (start.mjs), so that it never rewrites one another test's runtime is loading. */
const BUNDLE_NAME = "rendezvous-local-kill-test";
const BUNDLE = join(PROJECT_ROOT, "node_modules/.cache", BUNDLE_NAME);

/** mulberry32: the same kill points on every run of the test. */
let seed = 20261202;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Until the local-crash work lands, a SIGKILL leaves the runtime's PostgreSQL running, holding the data dir; this
 * stops it by the pid in its own pid file (fast shutdown), as `npm start` will itself.
 */
const stopOrphanedPostgres = async () => {
  const pidFile = join(dataDir, "postgres", "postmaster.pid");
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return; // not running: the pid file is stale, and PostgreSQL replaces it
  }
  for (let waited = 0; existsSync(pidFile) && waited < 30_000; waited += 50) await sleep(50);
};

const start = async (fresh: boolean): Promise<LocalOutputs> => {
  // Ports below the ephemeral range and below the smoke test's block (20,000+), a new block per start.
  // 11,000-19,800: below the blocks of portBaseBelowEphemeral (20,000+) and above every port fetch refuses to call
  // (undici's bad ports end at 10080, which 10,000 + 2 x 40 once drew).
  const base = 11_000 + Math.floor(Math.random() * 220) * 40;
  const args = [...(fresh ? ["--fresh"] : []), "--data-dir", dataDir, "--port-base", String(base)];
  // The first start is `npm start` itself (start.mjs bundles, then runs the bundle); restarts run that bundle again.
  const entry = fresh ? "apps/local/start.mjs" : join(BUNDLE, "apps/local/main.mjs");
  const spawned = spawn(process.execPath, [entry, ...args], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, RENDEZVOUS_LOCAL_BUNDLE_NAME: BUNDLE_NAME, RENDEZVOUS_LOCAL_BUILD: BUNDLE },
  });
  child = spawned;
  let log = "";
  spawned.stdout?.on("data", (chunk) => {
    log += chunk;
  });
  spawned.stderr?.on("data", (chunk) => {
    log += chunk;
  });
  for (let waited = 0; !log.includes("ready in") && spawned.exitCode === null && waited < 60_000; waited += 100)
    await sleep(100);
  if (!log.includes("ready in")) throw new Error(`npm start did not come up (exit ${spawned.exitCode}):\n${log}`);
  return JSON.parse(readFileSync(join(dataDir, "outputs.json"), "utf8")) as LocalOutputs;
};

const kill = async () => {
  const running = child;
  if (!running || running.exitCode !== null) return;
  const exited = new Promise((resolve) => running.once("exit", resolve));
  running.kill("SIGKILL");
  await exited;
  await stopOrphanedPostgres();
};

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((resolve) => child?.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
  await stopOrphanedPostgres();
  rmSync(dataDir, { recursive: true, force: true });
});

/** What the receiver answered so far, from its log file (the runtime may be dead). */
const received = (): ReceivedWebhook[] =>
  existsSync(webhookLog)
    ? readFileSync(webhookLog, "utf8")
        .split("\n")
        .filter((line) => line.endsWith("}"))
        .map((line) => JSON.parse(line) as ReceivedWebhook)
    : [];
const delivered = () => received().filter((entry) => entry.verified && entry.status === 200);

/** Fires the scheduler without waiting, and kills the runtime once the receiver has `target` deliveries. */
const fireAndKillAt = async (outputs: LocalOutputs, target: number) => {
  const run = call(outputs.controlUrl, "POST", "/_local/schedules/scheduler/run", { body: {} }).catch(() => undefined);
  // Bounded: deliveries a killed dispatcher held come back only once its hold (60 s) has lapsed.
  for (let waited = 0; delivered().length < target && waited < 5_000; waited += 5) await sleep(5);
  await sleep(Math.floor(random() * 40)); // somewhere inside the batch in flight
  await kill();
  await run;
};

const deliveriesOf = async (outputs: LocalOutputs, status: string) => {
  const answer = await call(outputs.urls.scheduling ?? "", "GET", `/deliveries?status=${status}&limit=500`);
  const rows = (answer.body as { deliveries: Array<{ id: string; occurrence: string }> }).deliveries;
  return rows.filter((row) => row.occurrence === "2026-03-07");
};

describe("the local runtime killed with SIGKILL in the middle of a dispatch", () => {
  it(`delivers each of ${USERS} due birthdays exactly once over ${ROUNDS} kills and restarts`, {
    timeout: 150_000,
  }, async () => {
    const began = Date.now();
    let outputs = await start(true);
    const setClock = (body: unknown) => call(outputs.controlUrl, "POST", "/_local/clock", { body });
    await setClock({ now: "2026-03-07T08:00:00Z" });
    const created: string[] = [];
    for (let batch = 0; batch < USERS / 20; batch++) {
      const answers = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          call(outputs.urls.scheduling ?? "", "POST", "/users", {
            body: { first_name: "Kill", last_name: `N${batch * 20 + i}`, birthday: "1990-03-07", timezone: "UTC" },
          }),
        ),
      );
      created.push(...answers.map((answer) => (answer.body as { id: string }).id));
    }
    expect(new Set(created).size).toBe(USERS);
    await setClock({ now: "2026-03-07T09:00:30Z" });

    const at = () => `${((Date.now() - began) / 1000).toFixed(1)} s`;
    const killPoints: string[] = [`users created at ${at()}`];
    for (let round = 1; round <= ROUNDS; round++) {
      if (round > 1) outputs = await start(false);
      const before = delivered().length;
      // Anywhere from before the first webhook (the scheduler mid-tick) to late in what is left.
      const target = before + Math.floor(random() * (USERS - before) * 0.8);
      await fireAndKillAt(outputs, target);
      killPoints.push(
        `round ${round}: killed at ${delivered().length} of ${USERS} delivered (target ${target}), ${at()}`,
      );
    }

    outputs = await start(false);
    killPoints.push(`restarted for the last time at ${at()}`);
    await setClock({ advance: "PT21M" }); // past the 1,200 s threshold: the dead dispatchers' holds are swept too
    const runs: unknown[] = [];
    for (let tries = 0; (await deliveriesOf(outputs, "delivered")).length < USERS && tries < 200; tries++) {
      if (tries % 10 === 0)
        runs.push((await call(outputs.controlUrl, "POST", "/_local/schedules/scheduler/run", { body: {} })).body);
      await sleep(100);
    }

    const due = new Set((await deliveriesOf(outputs, "delivered")).map((row) => row.id));
    const successes = delivered();
    const distinct = new Set(successes.map((entry) => entry.webhook_id));
    const idsByUser = new Map<string, Set<string>>();
    for (const entry of successes) {
      const userId = String((entry.body as { user_id?: string }).user_id);
      idsByUser.set(userId, (idsByUser.get(userId) ?? new Set()).add(entry.webhook_id));
    }
    console.log(
      [
        `kill test: ${ROUNDS} rounds, ${USERS} due deliveries, ${((Date.now() - began) / 1000).toFixed(1)} s`,
        ...killPoints,
        `after the last restart: scheduler runs ${JSON.stringify(runs)}`,
        `receiver: ${successes.length} 2xx posts, ${distinct.size} distinct webhook-ids, ` +
          `${successes.length - distinct.size} repeats (same webhook-id)`,
      ].join("\n"),
    );
    for (const status of ["pending", "claimed", "queued", "failed", "skipped"])
      expect(await deliveriesOf(outputs, status), status).toEqual([]);
    expect(due.size).toBe(USERS);
    expect([...distinct].sort()).toEqual([...due].sort());
    expect(idsByUser.size).toBe(USERS);
    expect([...idsByUser.values()].every((ids) => ids.size === 1)).toBe(true);
    expect(received().every((entry) => entry.verified)).toBe(true);
  });
});
