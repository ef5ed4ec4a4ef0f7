import { createHash } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { postgresCanReach } from "../../adapters/local-engines/postgres-host.ts";
import { stopOrphanedPostgres } from "../../adapters/local-engines/postgres-orphan.ts";

/**
 * Where `npm start` keeps its data: everything in the data dir (default `.rendezvous/`), except PostgreSQL's
 * cluster when we are root and the `postgres` user it then runs as cannot enter the data dir (a checkout inside
 * /root or a `mktemp -d` folder: 0700). That cluster then lives in `/var/lib/rendezvous/<hash of the data dir's
 * path>/postgres` (state that survives reboots, unlike /tmp or /var/tmp, which are cleaned), linked from
 * `<data dir>/postgres` so it is found where it always is; `source` beside it names the data dir it belongs to.
 */
export const SHARED_STATE_ROOT = "/var/lib/rendezvous";

export interface DataDirs {
  readonly dir: string;
  /** PostgreSQL's cluster: `<dir>/postgres`, or its home under SHARED_STATE_ROOT. */
  readonly postgres: string;
  /** Why PostgreSQL's cluster is not in `dir`, when it is not. */
  readonly postgresNote?: string;
  /** A temporary dir (tests): remove `dir` and anything kept for it elsewhere. */
  remove(): void;
}

const elsewhereFor = (dir: string): string =>
  join(SHARED_STATE_ROOT, createHash("sha256").update(dir).digest("hex").slice(0, 16), "postgres");

const statOf = (path: string) => {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
};

/** `<dir>/postgres` as a link to `target`, replacing an empty folder a failed start may have left there. */
const linkTo = (link: string, target: string): void => {
  const current = statOf(link);
  if (current?.isSymbolicLink() && readlinkSync(link) === target) return;
  if (current?.isDirectory() && readdirSync(link).length > 0) {
    throw new Error(`${link} holds data the postgres user cannot reach; move it to ${target} and start again`);
  }
  rmSync(link, { recursive: true, force: true });
  symlinkSync(target, link);
};

const place = (dir: string): Pick<DataDirs, "postgres" | "postgresNote"> => {
  mkdirSync(dir, { recursive: true });
  // As root, PostgreSQL runs as the postgres user, which must reach its folder inside this one.
  chmodSync(dir, 0o755);
  const inside = join(dir, "postgres");
  if (!statOf(inside)?.isSymbolicLink() && postgresCanReach(dir)) return { postgres: inside };
  const elsewhere = elsewhereFor(dir);
  const home = dirname(elsewhere);
  mkdirSync(home, { recursive: true, mode: 0o755 });
  chmodSync(SHARED_STATE_ROOT, 0o755);
  chmodSync(home, 0o755);
  writeFileSync(join(home, "source"), `${dir}\n`);
  linkTo(inside, elsewhere);
  const note = `PostgreSQL runs as the postgres user, which cannot enter ${dir}: its data is kept in ${elsewhere}`;
  return { postgres: elsewhere, postgresNote: note };
};

/**
 * The data dirs of a start. A PostgreSQL that a killed `npm start` left running on them is stopped first (it
 * holds the port the start needs, and `--fresh` must not delete data under a running server).
 */
export const prepareDataDirs = async (options: {
  readonly dataDir: string | undefined;
  readonly defaultDir: string;
  readonly fresh: boolean;
  readonly temporary: boolean;
  readonly log: (line: string) => void;
}): Promise<DataDirs> => {
  const dir = options.temporary
    ? mkdtempSync(join(tmpdir(), "rendezvous-local-"))
    : resolve(options.dataDir ?? options.defaultDir);
  let placed = place(dir);
  const orphan = await stopOrphanedPostgres(placed.postgres);
  if (orphan.kind === "stopped") {
    options.log(`stopped PostgreSQL pid ${orphan.pid}, left running on ${placed.postgres} by a killed npm start`);
  }
  const removeAll = () => {
    rmSync(dir, { recursive: true, force: true });
    if (placed.postgresNote) rmSync(dirname(placed.postgres), { recursive: true, force: true });
  };
  if (options.fresh) {
    removeAll();
    placed = place(dir);
  }
  if (placed.postgresNote) options.log(placed.postgresNote);
  return {
    dir,
    ...placed,
    remove: removeAll,
  };
};
