import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startSqs } from "../../adapters/local-engines/sqs.ts";

/**
 * fauxqs in a process of its own, as SQS is a service of its own: the scheduler's event loop then does only the
 * scheduler's work, and the two can use separate cores. Run as a script, it starts fauxqs and prints its endpoint.
 */
export interface SqsProcess {
  readonly endpoint: string;
  readonly pid: number;
  stop(): Promise<void>;
}

export const startSqsProcess = (): Promise<SqsProcess> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const killOnExit = () => child.kill("SIGKILL");
    process.once("exit", killOnExit);
    child.once("exit", (code) => reject(new Error(`fauxqs process exited (${code}) before it was ready`)));
    child.stdout?.once("data", (chunk: Buffer) => {
      const endpoint = chunk.toString().trim();
      resolve({
        endpoint,
        pid: child.pid ?? 0,
        stop: () =>
          new Promise<void>((done) => {
            process.off("exit", killOnExit);
            if (child.exitCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const sqs = await startSqs();
  process.stdout.write(`${sqs.endpoint}\n`);
  process.once("SIGTERM", () => void sqs.stop().then(() => process.exit(0)));
}
