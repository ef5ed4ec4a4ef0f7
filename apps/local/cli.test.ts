import { existsSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { freePort } from "../../adapters/local-engines/ports.ts";
import type { FunctionSpec } from "../manifest.ts";
import { parseCli, readyTable } from "./cli.ts";
import { layoutPorts, planPorts } from "./port-plan.ts";
import { ensurePortFree } from "./ports.ts";

describe("the ready table", () => {
  it("shows the console first, then the functions, then the rest", () => {
    const table = readyTable(
      [{ name: "sessions", triggers: [{ kind: "url", auth: "NONE" }], url: "http://127.0.0.1:4410" }],
      [["data", "/tmp/d"]],
      [["console", "the local console", "http://127.0.0.1:4400/"]],
    ).split("\n");
    expect(table.map((line) => line.split(/\s{2,}/))).toEqual([
      ["function", "triggers", "url"],
      ["console", "the local console", "http://127.0.0.1:4400/"],
      ["sessions", "url", "http://127.0.0.1:4410"],
      ["data", "/tmp/d"],
    ]);
  });
});

describe("npm start options", () => {
  it("read flags, with the environment as a fallback", () => {
    const options = parseCli(["--fresh", "--port-base", "5000", "--port", "sessions=6001", "--data-dir=/tmp/d"], {
      RENDEZVOUS_PORT_CONTROL: "7000",
    });
    expect(options).toEqual({
      fresh: true,
      help: false,
      dataDir: "/tmp/d",
      ports: { base: 5000, byName: { control: 7000, sessions: 6001 } },
    });
    expect(parseCli([], { RENDEZVOUS_PORT_BASE: "4500" }).ports.base).toBe(4500);
  });

  it("refuse unknown options and bad ports, saying which", () => {
    expect(() => parseCli(["--frsh"], {})).toThrow(/unknown option --frsh/);
    expect(() => parseCli(["--port-base", "99999"], {})).toThrow(/--port-base/);
    expect(() => parseCli(["--port", "sessions"], {})).toThrow(/<name>=<port>/);
  });
});

describe("port plan", () => {
  it("lays ports out from the base, with overrides by name", () => {
    const url = (name: string): FunctionSpec => ({
      name,
      description: name,
      entry: `${name}.ts`,
      triggers: [{ kind: "url", auth: "NONE" }],
      needs: [],
      settings: [],
    });
    const plan = layoutPorts({ base: 5000, byName: { control: 6000, b: 6001 } }, [url("a"), url("b"), url("c")]);
    expect(plan).toEqual({
      control: 6000,
      webhooks: 5001,
      postgres: 5002,
      dynamodb: 5003,
      sqs: 5004,
      ssm: 5005,
      lambda: 5006,
      functions: { a: 5010, b: 6001, c: 5012 },
    });
  });

  it("refuses two pieces on one port", async () => {
    await expect(planPorts({ base: 5000, byName: { webhooks: 5000 } }, [])).rejects.toThrow(
      /port 5000 is given to both control and webhooks/,
    );
  });

  // Linux's socket table says the connection is in TIME_WAIT; elsewhere the check could not be made honestly.
  it.runIf(existsSync("/proc/net/tcp"))("counts a port whose last connection is in TIME_WAIT as free", async () => {
    const port = await freePort();
    const server = createServer((socket) => socket.destroy()); // the server closes first: its side waits
    await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", () => resolve()));
    await new Promise<void>((resolve) => connect(port, "127.0.0.1").once("close", () => resolve()));
    await new Promise<void>((resolve) => server.close(() => resolve()));
    // /proc/net/tcp: local address "0100007F:<port hex>", state 06 = TIME_WAIT.
    const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
    const waiting = readFileSync("/proc/net/tcp", "utf8")
      .split("\n")
      .some((line) => line.trim().split(/\s+/)[1] === local && line.trim().split(/\s+/)[3] === "06");
    expect(waiting).toBe(true);
    await expect(ensurePortFree("control", port)).resolves.toBeUndefined();
  });

  it("names a port that is taken and how to choose another", async () => {
    const port = await freePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", () => resolve()));
    try {
      await expect(planPorts({ byName: { control: port } }, [])).rejects.toThrow(
        new RegExp(`port ${port} \\(control\\) is already in use.*--port control=<n>`),
      );
      await expect(planPorts({ byName: { bogus: 1 } }, [])).rejects.toThrow(/--port bogus: unknown name/);
    } finally {
      holder.close();
    }
  });
});
