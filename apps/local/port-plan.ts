import { freePort } from "../../adapters/local-engines/ports.ts";
import type { FunctionSpec } from "../manifest.ts";
import { ensurePortFree } from "./ports.ts";

/**
 * Which port each piece takes. From a base (default 4400): control +0, webhook receiver +1, PostgreSQL +2,
 * dynalite +3, fauxqs +4, the SSM stand-in +5, the Lambda Invoke API +6, and the function URLs from +10 in manifest
 * order. Any one can be set by name (`control`, `webhooks`, `postgres`, `dynamodb`, `sqs`, `ssm`, `lambda` or a
 * function's name); "free" lets the OS pick (tests).
 */
export const DEFAULT_PORT_BASE = 4400;
export const FIXED_PORTS = ["control", "webhooks", "postgres", "dynamodb", "sqs", "ssm", "lambda"] as const;
export type FixedPort = (typeof FIXED_PORTS)[number];
const FUNCTION_OFFSET = 10;

export interface PortOptions {
  readonly base?: number;
  /** By name: a fixed piece or a function. */
  readonly byName?: Readonly<Record<string, number>>;
}

export type PortPlan = Record<FixedPort, number> & { readonly functions: Record<string, number> };

export const planPorts = async (
  options: PortOptions | "free",
  urlFunctions: readonly FunctionSpec[],
): Promise<PortPlan> => {
  if (options === "free") {
    const fixed = Object.fromEntries(await Promise.all(FIXED_PORTS.map(async (name) => [name, await freePort()])));
    const functions = Object.fromEntries(
      await Promise.all(urlFunctions.map(async (fn) => [fn.name, await freePort()])),
    );
    return { ...(fixed as Record<FixedPort, number>), functions };
  }
  const plan = layoutPorts(options, urlFunctions);
  await assertPortsFree(plan);
  return plan;
};

/** Where each piece goes, before any check (pure). */
export const layoutPorts = (options: PortOptions, urlFunctions: readonly FunctionSpec[]): PortPlan => {
  const base = options.base ?? DEFAULT_PORT_BASE;
  const byName = options.byName ?? {};
  const known = new Set<string>([...FIXED_PORTS, ...urlFunctions.map((fn) => fn.name)]);
  for (const name of Object.keys(byName)) {
    if (!known.has(name)) throw new Error(`--port ${name}: unknown name (use one of ${[...known].join(", ")})`);
  }
  const pick = (name: string, offset: number): number => byName[name] ?? base + offset;
  const fixed = Object.fromEntries(FIXED_PORTS.map((name, index) => [name, pick(name, index)]));
  const functions = Object.fromEntries(
    urlFunctions.map((fn, index) => [fn.name, pick(fn.name, FUNCTION_OFFSET + index)]),
  );
  return { ...(fixed as Record<FixedPort, number>), functions };
};

/** Fails before anything starts, naming the first port that is taken and what it was for. */
export const assertPortsFree = async (plan: PortPlan): Promise<void> => {
  const all = [...FIXED_PORTS.map((name) => [name, plan[name]] as const), ...Object.entries(plan.functions)];
  const seen = new Map<number, string>();
  for (const [name, port] of all) {
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new Error(`port for ${name} must be 1..65535, got ${port}`);
    const other = seen.get(port);
    if (other) throw new Error(`port ${port} is given to both ${other} and ${name}`);
    seen.set(port, name);
  }
  for (const [name, port] of all) await ensurePortFree(name, port);
};
