import { describe, expect, it } from "vitest";
import type { FunctionSpec } from "../apps/manifest.ts";
import { parseStackConfig } from "./config.ts";
import {
  connectionBudgetProblems,
  maxConcurrencyOf,
  maxConnectionsOf,
  RESERVED_CONNECTIONS,
} from "./connection-budget.ts";
import { CONTRACT_NEEDS } from "./sample-functions.ts";
import { stackConfig } from "./stack-files.ts";

const spec = (name: string, change: Partial<FunctionSpec> = {}): FunctionSpec => ({
  name,
  description: name,
  entry: "apps/manifest.ts",
  triggers: [{ kind: "url", auth: "AWS_IAM" }],
  needs: (CONTRACT_NEEDS[name] ?? ["postgres"]) as FunctionSpec["needs"],
  settings: [],
  ...change,
});

/** The contract's functions with their triggers (delivery-store's `invoke` is not in today's Trigger type). */
const CONTRACT: readonly FunctionSpec[] = [
  spec("migrator", { triggers: [{ kind: "deploy" }] }),
  spec("scheduling"),
  spec("delivery-store", { triggers: [{ kind: "invoke" } as unknown as FunctionSpec["triggers"][number]] }),
  spec("matching", { triggers: [{ kind: "url", auth: "NONE" }] }),
  spec("matcher", { reservedConcurrency: 1 }),
  spec("sessions", { triggers: [{ kind: "url", auth: "NONE" }] }),
  spec("scheduler", { triggers: [{ kind: "schedule", expression: "rate(1 minute)" }], timeoutSeconds: 60 }),
  spec("dispatcher", {
    triggers: [{ kind: "queue", queue: "deliveries", batchSize: 10, maximumConcurrency: 10 }],
  }),
];

describe("the database's connection budget", () => {
  it("takes max_connections from the class's memory, below AWS's nominal formula", () => {
    expect(maxConnectionsOf("db.t4g.micro")).toBe(70);
    expect(maxConnectionsOf("db.t4g.small")).toBe(183);
    expect(maxConnectionsOf("db.t4g.micro")).toBeLessThan(Math.floor(1024 ** 3 / 9531392));
    expect(() => maxConnectionsOf("db.r5.large")).toThrow(/not one of db\.t4g\.micro/);
  });

  it.each(["staging", "production"])("fits the contract's functions on the %s stack file", (stage) => {
    const config = parseStackConfig(stage, stackConfig(stage));
    expect(connectionBudgetProblems(CONTRACT, config.reservedConcurrency, config.dbInstanceClass)).toEqual([]);
  });

  it("bounds a function by its reservation, else by triggers that bound it, else not at all", () => {
    expect(maxConcurrencyOf(spec("matching"), 100)).toBe(100);
    expect(maxConcurrencyOf(spec("migrator", { triggers: [{ kind: "deploy" }] }), undefined)).toBe(1);
    const dispatcher = CONTRACT.find((fn) => fn.name === "dispatcher") as FunctionSpec;
    expect(maxConcurrencyOf(dispatcher, undefined)).toBe(10);
    // A tick every minute that may run 60 s: two overlap at most, one more for a retry.
    const scheduler = CONTRACT.find((fn) => fn.name === "scheduler") as FunctionSpec;
    expect(maxConcurrencyOf(scheduler, undefined)).toBe(2);
    expect(maxConcurrencyOf(spec("scheduling"), undefined)).toBeUndefined();
  });

  it("names an in-VPC function that nothing bounds, and the key that would", () => {
    expect(connectionBudgetProblems([spec("scheduling")], {}, "db.t4g.small")).toEqual([
      "scheduling: in the VPC with no concurrency bound: set rendezvous:reservedConcurrency.scheduling",
    ]);
  });

  it("fails when the pools of every instance exceed the class, with the sum that does", () => {
    const problems = connectionBudgetProblems(
      CONTRACT,
      { matching: 100, scheduling: 10, "delivery-store": 20 },
      "db.t4g.micro",
    );
    expect(problems).toEqual([
      "the database's connection budget does not fit: migrator 1 × 1 + scheduling 10 × 2 + delivery-store 20 × 2 + " +
        `matching 100 × 1 + matcher 1 × 1 = 162 connections, but db.t4g.micro allows ${70 - RESERVED_CONNECTIONS} ` +
        "(max_connections 70 less 10 reserved): lower rendezvous:reservedConcurrency or choose a larger " +
        "rendezvous:dbInstanceClass",
    ]);
  });
});
