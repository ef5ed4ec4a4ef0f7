import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU seconds a process tree has used, from Linux's /proc (0 elsewhere). On a shared machine wall time measures the
 * neighbours too; the CPU the scheduler, PostgreSQL and fauxqs spent on the burst does not, and since a tick runs
 * its steps one after another, their sum is about what the burst would take on an idle machine.
 */
const TICKS_PER_SECOND = 100; // USER_HZ, 100 on every Linux build Node supports

interface Stat {
  readonly ppid: number;
  /** utime + stime + cutime + cstime: its own CPU and that of its children that have exited. */
  readonly ticks: number;
}

const statOf = (pid: number): Stat | undefined => {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command name, which may itself hold spaces: state is field 3, ppid 4, utime 14 .. cstime 17.
    const fields = text
      .slice(text.lastIndexOf(")") + 2)
      .split(" ")
      .map(Number);
    const [ppid, utime, stime, cutime, cstime] = [fields[1], fields[11], fields[12], fields[13], fields[14]];
    return { ppid: ppid ?? 0, ticks: (utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0) };
  } catch {
    return undefined;
  }
};

/** CPU seconds of `root` and all its live descendants. */
export const treeCpuSeconds = (root: number): number => {
  let pids: number[];
  try {
    pids = readdirSync("/proc")
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return 0;
  }
  const stats = new Map(
    pids.flatMap((pid) => {
      const stat = statOf(pid);
      return stat ? [[pid, stat] as const] : [];
    }),
  );
  const inTree = (pid: number): boolean => {
    for (let current: number | undefined = pid; current && current > 1; current = stats.get(current)?.ppid) {
      if (current === root) return true;
    }
    return false;
  };
  let ticks = 0;
  for (const [pid, stat] of stats) if (inTree(pid)) ticks += stat.ticks;
  return ticks / TICKS_PER_SECOND;
};

/** The postmaster's pid, from the first line of `postmaster.pid` in the data directory. */
export const postmasterPid = (dataDir: string): number => {
  try {
    return Number(readFileSync(`${dataDir}/postmaster.pid`, "utf8").split("\n")[0]) || 0;
  } catch {
    return 0;
  }
};

/** This process's CPU seconds (user + system). */
export const ownCpuSeconds = (): number => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};
