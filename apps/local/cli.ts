import type { Trigger } from "../manifest.ts";
import { FIXED_PORTS, type PortOptions } from "./port-plan.ts";

/**
 * `npm start -- [--fresh] [--data-dir <dir>] [--port-base <n>] [--port <name>=<n> ...]`; the environment can say
 * the same with RENDEZVOUS_DATA_DIR, RENDEZVOUS_PORT_BASE and RENDEZVOUS_PORT_<NAME> (e.g. RENDEZVOUS_PORT_SESSIONS).
 */
export interface CliOptions {
  readonly fresh: boolean;
  readonly help: boolean;
  readonly dataDir?: string;
  readonly ports: PortOptions;
}

export const USAGE = `usage: npm start -- [options]
  --fresh              start from empty data (deletes the data dir first)
  --data-dir <dir>     where data is kept (default .rendezvous; env RENDEZVOUS_DATA_DIR)
  --port-base <n>      control n, webhooks n+1, postgres n+2, dynamodb n+3, sqs n+4, lambda n+5, URLs from n+10
                       (default 4400; env RENDEZVOUS_PORT_BASE)
  --port <name>=<n>    one port by name: ${FIXED_PORTS.join(", ")} or a function name
                       (repeatable; env RENDEZVOUS_PORT_<NAME>)`;

const portNumber = (text: string, what: string): number => {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535)
    throw new Error(`${what}: expected a port 1..65535, got "${text}"`);
  return port;
};

export const parseCli = (argv: readonly string[], env: Record<string, string | undefined>): CliOptions => {
  let fresh = false;
  let help = false;
  let dataDir = env.RENDEZVOUS_DATA_DIR;
  let base = env.RENDEZVOUS_PORT_BASE ? portNumber(env.RENDEZVOUS_PORT_BASE, "RENDEZVOUS_PORT_BASE") : undefined;
  const byName: Record<string, number> = {};
  for (const [name, value] of Object.entries(env)) {
    const match = /^RENDEZVOUS_PORT_(?!BASE$)([A-Z0-9_]+)$/.exec(name);
    if (match?.[1] && value) byName[match[1].toLowerCase().replaceAll("_", "-")] = portNumber(value, name);
  }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    const [flag, inline] = arg.includes("=") && arg.startsWith("--") ? arg.split(/=(.*)/s) : [arg, undefined];
    const value = () => {
      const next = inline ?? argv[++i];
      if (next === undefined) throw new Error(`${flag}: missing value`);
      return next;
    };
    if (flag === "--fresh") fresh = true;
    else if (flag === "--help" || flag === "-h") help = true;
    else if (flag === "--data-dir") dataDir = value();
    else if (flag === "--port-base") base = portNumber(value(), "--port-base");
    else if (flag === "--port") {
      const [name, port] = value().split("=");
      if (!name || port === undefined) throw new Error(`--port: expected <name>=<port>, got "${arg}"`);
      byName[name] = portNumber(port, `--port ${name}`);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  return {
    fresh,
    help,
    ...(dataDir ? { dataDir } : {}),
    ports: { ...(base !== undefined ? { base } : {}), byName },
  };
};

const describeTrigger = (trigger: Trigger): string => {
  switch (trigger.kind) {
    case "url":
      return trigger.auth === "AWS_IAM" ? "url (AWS_IAM: unsigned accepted locally)" : "url";
    case "schedule":
      return trigger.expression;
    case "queue":
      return `queue ${trigger.queue} (batch ${trigger.batchSize})`;
    case "deploy":
      return "on start";
    case "invoke":
      return "invoke only (Lambda Invoke API)";
  }
};

/** The table printed when the runtime is ready: `first` rows (the console), the functions, then `extras`. */
export const readyTable = (
  rows: ReadonlyArray<{ name: string; triggers: readonly Trigger[]; url?: string }>,
  extras: ReadonlyArray<readonly [string, string]>,
  first: ReadonlyArray<readonly [string, string, string]> = [],
): string => {
  const lines = rows.map((row) => [row.name, row.triggers.map(describeTrigger).join(", "), row.url ?? ""]);
  const all = [
    ["function", "triggers", "url"],
    ...first.map((row) => [...row]),
    ...lines,
    ...extras.map(([name, value]) => [name, "", value]),
  ];
  const widths = [0, 1].map((column) => Math.max(...all.map((line) => (line[column] ?? "").length)));
  return all
    .map((line) => line.map((cell, column) => (column < 2 ? cell.padEnd(widths[column] ?? 0) : cell)).join("  "))
    .join("\n");
};
