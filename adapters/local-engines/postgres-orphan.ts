import { execFileSync } from "node:child_process";
import { readFileSync, readlinkSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A PostgreSQL left running on a data dir by a process that was killed (`kill -9` of `npm start`: nothing of
 * ours runs, the postmaster lives on with init as its parent and keeps the port). We find it by the data dir's own
 * pid file, never by name, and stop it only when all of these hold: the pid is alive, it is a postgres process
 * whose working directory (PostgreSQL chdirs into its data dir) is this data dir, and its parent is no longer the
 * process that started it (recorded in `rendezvous.owner` beside the data), so a second `npm start` on the same
 * data never stops the first one's database.
 */

const PID_FILE = "postmaster.pid";
const OWNER_FILE = "rendezvous.owner";

/** Records who started the PostgreSQL of `dataDir` (call right after spawning it). */
export const recordOwner = (dataDir: string, ownerPid: number = process.pid): void =>
  writeFileSync(join(dataDir, OWNER_FILE), `${ownerPid}\n`, { mode: 0o644 });

const procStat = (pid: number): { state: string; ppid: number } | undefined => {
  try {
    // "<pid> (<comm>) <state> <ppid> ...": comm may hold spaces and parentheses, so split after the last ")".
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { state: state ?? "", ppid: Number(ppid) };
  } catch {
    return undefined;
  }
};

/** Alive and not a zombie waiting for a parent that does not reap. */
export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") return false;
  }
  return procStat(pid)?.state !== "Z";
};

interface Process {
  readonly name: string;
  readonly ppid: number;
  /** Whether it runs on `dataDir`: PostgreSQL chdirs into its data dir; without /proc, its `-D` argument. */
  runsOn(dataDir: string): boolean;
  /** Seen through /proc, so a "no" from runsOn is certain. */
  readonly certain: boolean;
}

/** What the kernel says of `pid`: /proc on Linux, `ps` elsewhere. */
const inspect = (pid: number): Process | undefined => {
  const stat = procStat(pid);
  if (stat) {
    try {
      const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
      const cwd = readlinkSync(`/proc/${pid}/cwd`);
      return { name, ppid: stat.ppid, runsOn: (dataDir) => cwd === realpathSync(dataDir), certain: true };
    } catch {
      return undefined;
    }
  }
  try {
    const line = execFileSync("ps", ["-o", "ppid=,args=", "-p", String(pid)], { encoding: "utf8" }).trim();
    const [ppid = "", command = ""] = line.split(/\s+/);
    const args = line.slice(line.indexOf(command));
    const runsOn = (dataDir: string) => `${args} `.includes(` -D ${dataDir} `);
    return { name: command.split("/").pop() ?? "", ppid: Number(ppid), runsOn, certain: false };
  } catch {
    return undefined;
  }
};

const readPid = (file: string): number | undefined => {
  try {
    const pid = Number(readFileSync(file, "utf8").split("\n")[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

const waitForExit = async (pid: number, ms: number): Promise<boolean> => {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(100)) if (!isAlive(pid)) return true;
  return !isAlive(pid);
};

export type OrphanOutcome = { readonly kind: "none" } | { readonly kind: "stopped"; readonly pid: number };

/**
 * Stops the orphaned PostgreSQL of `dataDir`, if there is one: a fast shutdown (SIGINT: roll back, checkpoint,
 * exit), then an immediate one (SIGQUIT: crash recovery on the next start, nothing committed lost). Throws when
 * the PostgreSQL on that data dir still has its parent: another process is using it.
 */
export const stopOrphanedPostgres = async (dataDir: string): Promise<OrphanOutcome> => {
  const pid = readPid(join(dataDir, PID_FILE));
  // No pid file, or a dead pid: PostgreSQL itself clears a stale pid file on start.
  if (pid === undefined || !isAlive(pid)) return { kind: "none" };
  const found = inspect(pid);
  if (!found?.name.startsWith("postgres") || !found.runsOn(dataDir)) {
    // The pid was reused by an unrelated process after a reboot or crash (seen in containers): the pid file is
    // stale, and PostgreSQL would refuse to start while its pid is alive. Removing the file is all it takes.
    if (found?.certain) rmSync(join(dataDir, PID_FILE), { force: true });
    return { kind: "none" };
  }
  const owner = readPid(join(dataDir, OWNER_FILE));
  if (owner === undefined || (found.ppid === owner && isAlive(owner))) {
    throw new Error(
      `PostgreSQL (pid ${pid}) is running on ${dataDir} for ${owner === undefined ? "another program" : `process ${owner}`}: ` +
        "is another `npm start` using this data dir? Stop it first, or use another --data-dir",
    );
  }
  process.kill(pid, "SIGINT");
  if (await waitForExit(pid, 20_000)) return { kind: "stopped", pid };
  process.kill(pid, "SIGQUIT");
  if (await waitForExit(pid, 10_000)) return { kind: "stopped", pid };
  throw new Error(`the PostgreSQL left running on ${dataDir} (pid ${pid}) did not stop; stop it and start again`);
};
