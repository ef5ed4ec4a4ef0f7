/**
 * The database's connection budget: every in-VPC function at its maximum concurrency, each instance holding its
 * whole pool, must fit the instance class's max_connections, less what is reserved. Checked at preview, so a
 * reservation or a class that would exhaust the database fails before anything is deployed.
 */
import type { FunctionSpec } from "../apps/manifest.ts";
import { inVpc } from "./placement.ts";

/**
 * The classes a stack may use, with their memory. RDS PostgreSQL's default max_connections is
 * LEAST(DBInstanceClassMemory/9531392, 5000), where DBInstanceClassMemory is the class's memory less what the OS
 * and RDS processes hold (a 1 GiB class reports about 80, not 112): we take 384 MiB off to stay below it.
 */
export const DATABASE_CLASSES: Readonly<Record<string, { readonly memoryGiB: number }>> = {
  "db.t4g.micro": { memoryGiB: 1 },
  "db.t4g.small": { memoryGiB: 2 },
  "db.t4g.medium": { memoryGiB: 4 },
  "db.t4g.large": { memoryGiB: 8 },
};
const OS_AND_RDS_MIB = 384;

export const maxConnectionsOf = (instanceClass: string): number => {
  const known = DATABASE_CLASSES[instanceClass];
  if (!known) throw new Error(`${instanceClass}: not one of ${Object.keys(DATABASE_CLASSES).join(", ")}`);
  const bytes = (known.memoryGiB * 1024 - OS_AND_RDS_MIB) * 1024 * 1024;
  return Math.min(Math.floor(bytes / 9531392), 5000);
};

/**
 * Connections the functions may not use: PostgreSQL's superuser_reserved_connections (3) and RDS's
 * rds.rds_superuser_reserved_connections (2), which the runtime roles cannot take, and 5 for operators' sessions.
 */
export const RESERVED_CONNECTIONS = 10;

/**
 * The most connections one instance of a function opens (its postgres.js `max`): 2 by default
 * (apps/runtime/database.ts), the scheduler's 4 lanes, one for the migrator (a table here, since infra/ may not import
 * apps/runtime: keep it equal to the `connections` each capability's wiring passes). Matching and the matcher get one (a
 * request or a batch is one transaction): production's 100 matching instances fit db.t4g.small only so.
 */
export const POOL_SIZES: Readonly<Record<string, number>> = { migrator: 1, scheduler: 4, matching: 1, matcher: 1 };
const DEFAULT_POOL_SIZE = 2;
export const poolSizeOf = (fn: Pick<FunctionSpec, "name">): number => POOL_SIZES[fn.name] ?? DEFAULT_POOL_SIZE;

const periodSeconds = (expression: string): number | undefined => {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  const unit = { minute: 60, hour: 3600, day: 86400 }[rate?.[2] ?? ""];
  return rate && unit ? Number(rate[1]) * unit : undefined;
};

/**
 * How many instances of a function can run at once: its reserved concurrency; else, when every trigger bounds
 * it, what they allow (a deploy run is one, a queue mapping its maximumConcurrency, a rate schedule the ticks
 * that fit in one timeout plus a retry). `undefined` when nothing bounds it (a URL without a reservation).
 */
export const maxConcurrencyOf = (fn: FunctionSpec, reserved: number | undefined): number | undefined => {
  if (reserved !== undefined) return reserved;
  let total = 0;
  for (const trigger of fn.triggers) {
    if (trigger.kind === "deploy") total += 1;
    else if (trigger.kind === "queue") total += trigger.maximumConcurrency;
    else if (trigger.kind === "schedule") {
      const period = periodSeconds(trigger.expression);
      if (period === undefined) return undefined;
      total += Math.ceil((fn.timeoutSeconds ?? 10) / period) + 1;
    } else return undefined;
  }
  return total;
};

export interface BudgetLine {
  readonly name: string;
  readonly concurrency: number | undefined;
  readonly poolSize: number;
}

/** Every problem with the budget, one sentence each; empty when it fits. */
export const connectionBudgetProblems = (
  functions: readonly FunctionSpec[],
  reservedConcurrency: Readonly<Record<string, number>>,
  instanceClass: string,
): string[] => {
  const lines: BudgetLine[] = functions.filter(inVpc).map((fn) => ({
    name: fn.name,
    concurrency: maxConcurrencyOf(fn, reservedConcurrency[fn.name] ?? fn.reservedConcurrency),
    poolSize: poolSizeOf(fn),
  }));
  const unbounded = lines.filter((l) => l.concurrency === undefined).map((l) => l.name);
  if (unbounded.length > 0) {
    return unbounded.map(
      (name) => `${name}: in the VPC with no concurrency bound: set rendezvous:reservedConcurrency.${name}`,
    );
  }
  const available = maxConnectionsOf(instanceClass) - RESERVED_CONNECTIONS;
  const needed = lines.reduce((sum, l) => sum + (l.concurrency ?? 0) * l.poolSize, 0);
  if (needed <= available) return [];
  const breakdown = lines.map((l) => `${l.name} ${l.concurrency} × ${l.poolSize}`).join(" + ");
  return [
    `the database's connection budget does not fit: ${breakdown} = ${needed} connections, but ${instanceClass} ` +
      `allows ${available} (max_connections ${maxConnectionsOf(instanceClass)} less ${RESERVED_CONNECTIONS} reserved): ` +
      "lower rendezvous:reservedConcurrency or choose a larger rendezvous:dbInstanceClass",
  ];
};
