import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readOutputs } from "./http.ts";
import { report, smoke } from "./smoke.ts";

/**
 * `npm start` (apps/local/start.mjs) in a child process (its own engines, data dir and ports): the smoke passes
 * against its outputs, then Ctrl-C (SIGINT to its pid) stops everything it started and keeps the data.
 */
describe("the smoke against the local runtime", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "smoke-local-"));
  // Below Linux's ephemeral range (32768+), where the OS hands out the ports other test files' engines and servers
  // listen on: a block in that range could be taken mid-run, and npm start would (rightly) refuse to start.
  // Slot 0 of a block of 80 (apps/local/fixtures/npm-start.ts: crash-restart 20, private-folder 40, the permission
  // flows 60), so no two spawned runtimes share a port, whatever they draw; a runtime spans 14 ports.
  const portBase = 20_000 + Math.floor(Math.random() * 150) * 80;
  let child: ChildProcess | undefined;
  let log = "";
  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("passes every check on a freshly started runtime", { timeout: 90_000 }, async () => {
    child = spawn(
      process.execPath,
      ["apps/local/start.mjs", "--fresh", "--data-dir", dataDir, "--port-base", String(portBase)],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    child.stdout?.on("data", (chunk) => {
      log += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      log += chunk;
    });
    const outputsFile = join(dataDir, "outputs.json");
    const deadline = Date.now() + 75_000;
    while (!(existsSync(outputsFile) && log.includes("ready in")) && child.exitCode === null && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // If it exited, let its output drain ('close' follows the pipes) so a failure shows why.
    if (child.exitCode !== null) await new Promise((resolve) => setTimeout(resolve, 500));
    expect(existsSync(outputsFile), `npm start did not come up (exit ${child.exitCode}):\n${log.slice(-2000)}`).toBe(
      true,
    );
    const outputs = readOutputs(outputsFile);
    expect(outputs.stage).toBe("local");
    const results = await smoke(outputs);
    expect(results.length).toBeGreaterThanOrEqual(Object.keys(outputs.urls).length);
    expect(
      results.filter((r) => !r.ok),
      report(outputs.stage, results),
    ).toEqual([]);
    // The bundled migrator found the migrations beside their source: a route that reads the tables answers.
    const deliveries = await fetch(`${outputs.urls.scheduling}/deliveries`);
    expect(deliveries.status).toBe(200);
    expect(await deliveries.json()).toEqual({ deliveries: [] });
  });

  const portIsFree = (port: number) =>
    new Promise<boolean>((resolve) => {
      const probe = createServer();
      probe.once("error", () => resolve(false));
      probe.listen(port, "127.0.0.1", () => probe.close(() => resolve(true)));
    });

  it("stops everything on Ctrl-C and keeps the data", { timeout: 30_000 }, async () => {
    const running = child;
    if (!running || running.exitCode !== null) throw new Error(`npm start is not running:\n${log.slice(-2000)}`);
    const urls = Object.values(readOutputs(join(dataDir, "outputs.json")).urls);
    const exited = new Promise<number | null>((resolve) => running.once("exit", (code) => resolve(code)));
    running.kill("SIGINT");
    expect(await exited, log.slice(-2000)).toBe(0);
    // PostgreSQL removes its pid file only on a clean shutdown; its data stays.
    expect(existsSync(join(dataDir, "postgres", "postmaster.pid"))).toBe(false);
    expect(existsSync(join(dataDir, "postgres", "PG_VERSION"))).toBe(true);
    // Every port it held (control, webhooks, postgres, dynamodb, sqs, each function URL) is free again.
    const ports = [0, 1, 2, 3, 4]
      .map((offset) => portBase + offset)
      .concat(urls.map((url) => Number(new URL(url).port)));
    const held = [];
    for (const port of ports) if (!(await portIsFree(port))) held.push(port);
    expect(held).toEqual([]);
  });
});
