import type { AddressInfo } from "node:net";
import dynalite from "dynalite";

/**
 * DynamoDB's wire protocol from `dynalite`, in process. It has no TransactWriteItems and no UpdateTimeToLive,
 * so nothing in this project depends on either.
 */
export interface RunningDynamo {
  readonly endpoint: string;
  stop(): Promise<void>;
}

export const startDynamo = async (options: { port?: number; path?: string } = {}): Promise<RunningDynamo> => {
  const server = dynalite({
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
    ...(options.path ? { path: options.path } : {}),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};
