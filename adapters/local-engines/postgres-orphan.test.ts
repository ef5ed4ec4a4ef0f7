import { spawn } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "./ports.ts";
import { type RunningPostgres, startPostgres } from "./postgres.ts";
import { stopOrphanedPostgres } from "./postgres-orphan.ts";

/**
 * What the orphan finder may stop, on real processes: only a postgres whose working directory is the data dir and
 * whose starter is gone; never the database of a live start, never a process merely named in a stale pid file.
 * (A real `kill -9` of `npm start` is apps/local/crash-restart.test.ts.)
 */
const root = mkdtempSync(join(tmpdir(), "rendezvous-orphan-"));
chmodSync(root, 0o755); // as root, PostgreSQL runs as the postgres user and must reach its data dir
const running: RunningPostgres[] = [];
afterAll(async () => {
  await Promise.all(running.map((pg) => pg.stop()));
  rmSync(root, { recursive: true, force: true });
});

const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const start = async (name: string) => {
  const dataDir = join(root, name);
  const pg = await startPostgres({ dataDir, port: await freePort(), ephemeral: true, reuseInitdb: true });
  running.push(pg);
  return { dataDir, pg };
};

describe("stopping an orphaned PostgreSQL", () => {
  it("does nothing without a pid file", async () => {
    expect(await stopOrphanedPostgres(join(root, "never-started"))).toEqual({ kind: "none" });
  });

  it("removes a pid file that names a live process other than a postgres on this data dir, and leaves it alone", async () => {
    const dataDir = join(root, "stale");
    mkdirSync(dataDir);
    const bystander = spawn("sleep", ["30"], { stdio: "ignore" });
    try {
      writeFileSync(join(dataDir, "postmaster.pid"), `${bystander.pid}\n${dataDir}\n`);
      expect(await stopOrphanedPostgres(dataDir)).toEqual({ kind: "none" });
      expect(existsSync(join(dataDir, "postmaster.pid"))).toBe(false);
      expect(bystander.exitCode).toBeNull();
      expect(isAlive(bystander.pid ?? 0)).toBe(true);
    } finally {
      bystander.kill("SIGKILL");
    }
  });

  it("never stops a postgres that runs on another data dir, even one whose pid the pid file names", async () => {
    const other = await start("other");
    const otherPid = Number(readFileSync(join(other.dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    const dataDir = join(root, "copied-pid-file");
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, "postmaster.pid"), `${otherPid}\n${dataDir}\n`);
    writeFileSync(join(dataDir, "rendezvous.owner"), "999999999\n");
    expect(await stopOrphanedPostgres(dataDir)).toEqual({ kind: "none" });
    expect(isAlive(otherPid)).toBe(true);
    const sql = postgres(other.pg.url, { max: 1, onnotice: () => {} });
    try {
      expect(await sql`SELECT 1 AS up`).toEqual([{ up: 1 }]);
    } finally {
      await sql.end();
    }
  });

  it("refuses to stop the PostgreSQL of a process that still runs it", async () => {
    const { dataDir } = await start("live");
    await expect(stopOrphanedPostgres(dataDir)).rejects.toThrow(
      new RegExp(`running on ${dataDir} for process ${process.pid}: is another \`npm start\``),
    );
  });

  it("stops a PostgreSQL whose recorded starter is gone, and a new one starts on its data", async () => {
    const { dataDir, pg } = await start("orphan");
    const pid = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
    // As after `kill -9` of the starter: the recorded owner is a pid that no longer runs.
    const gone = spawn("true");
    await new Promise((resolve) => gone.once("exit", resolve));
    writeFileSync(join(dataDir, "rendezvous.owner"), `${gone.pid}\n`);
    expect(await stopOrphanedPostgres(dataDir)).toEqual({ kind: "stopped", pid });
    await pg.stop(); // our child: reaped once its exit is seen
    expect(isAlive(pid)).toBe(false);
    const again = await startPostgres({ dataDir, port: pg.port, ephemeral: true });
    running.push(again);
  });
});
