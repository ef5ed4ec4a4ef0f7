import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readOutputs } from "./http.ts";
import { report, smoke } from "./smoke.ts";

/** `npm start` (apps/local/start.mjs) in a child process (its own engines, data dir and ports), stopped by its pid afterwards. */
describe("the smoke against the local runtime", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "smoke-local-"));
  const portBase = 41_000 + Math.floor(Math.random() * 200) * 40;
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
    expect(existsSync(outputsFile), `npm start did not come up:\n${log.slice(-2000)}`).toBe(true);
    const outputs = readOutputs(outputsFile);
    expect(outputs.stage).toBe("local");
    const results = await smoke(outputs);
    expect(results.length).toBeGreaterThanOrEqual(Object.keys(outputs.urls).length);
    expect(
      results.filter((r) => !r.ok),
      report(outputs.stage, results),
    ).toEqual([]);
  });
});
