import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";

/** A port the runtime could not take, with what to do about it. */
export class PortInUse extends Error {
  override readonly name = "PortInUse";
  constructor(
    readonly label: string,
    readonly port: number,
  ) {
    super(
      `port ${port} (${label}) is already in use: is another \`npm start\` running? ` +
        `Stop it, or choose other ports with --port-base <n> or --port ${label}=<n>`,
    );
  }
}

const inUse = (error: unknown): boolean => (error as NodeJS.ErrnoException | undefined)?.code === "EADDRINUSE";

/** Fails with PortInUse when `port` cannot be bound on 127.0.0.1 right now (checked before anything starts). */
export const ensurePortFree = (label: string, port: number): Promise<void> =>
  new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", (error) => reject(inUse(error) ? new PortInUse(label, port) : error));
    probe.listen(port, "127.0.0.1", () => probe.close(() => resolve()));
  });

/** Listens on 127.0.0.1, turning EADDRINUSE into PortInUse; resolves to the bound port (0 picks a free one). */
export const listen = (server: Server, label: string, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.once("error", (error) => reject(inUse(error) ? new PortInUse(label, port) : error));
    server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });

export const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
