import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  DATABASE_ROLES,
  databaseRoleOf,
  type FunctionSpec,
  functions,
  inVpc,
  isScheduleExpression,
  manifestProblems,
  NEED_ENV,
  type Need,
} from "./manifest.ts";

const valid: FunctionSpec = {
  name: "example",
  description: "a valid function",
  entry: "apps/manifest.ts",
  triggers: [{ kind: "url", auth: "NONE" }],
  needs: ["postgres:scheduling"],
  settings: ["corsOrigins"],
};

const named = (name: string) => functions.find((fn) => fn.name === name);

describe("the manifest", () => {
  it("as it stands has no problems, and every entry file exists", () => {
    expect(manifestProblems(functions, existsSync)).toEqual([]);
  });

  it.each<[string, Partial<FunctionSpec>, string]>([
    [
      "an unknown need",
      { needs: ["postgres:scheduling", "bucket:write" as Need] },
      'example: unknown need "bucket:write"',
    ],
    [
      "a malformed schedule",
      { triggers: [{ kind: "schedule", expression: "every 5 minutes" }] },
      'example: malformed schedule expression "every 5 minutes"',
    ],
    [
      "a missing entry file",
      { entry: "apps/nowhere/handler.ts" },
      "example: entry file apps/nowhere/handler.ts does not exist",
    ],
    ["no trigger", { triggers: [] }, "example: has no trigger"],
    ["a bad name", { name: "Bad_Name" }, "Bad_Name: name must be kebab-case"],
    [
      "an oversized queue batch",
      { triggers: [{ kind: "queue", queue: "deliveries", batchSize: 11, maximumConcurrency: 2 }] },
      "example: queue batchSize must be 1..10",
    ],
    ["a timeout past Lambda's limit", { timeoutSeconds: 901 }, "example: timeoutSeconds must be 1..900"],
    [
      "an invoke trigger beside a URL",
      { triggers: [{ kind: "invoke" }, { kind: "url", auth: "AWS_IAM" }] },
      "example: an invoke trigger must be the function's only trigger",
    ],
    [
      "two database roles",
      { needs: ["postgres:scheduling", "postgres:matching"] },
      "example: at most one postgres:* need",
    ],
    [
      "a delivery-store need without a delivery-store function",
      { needs: ["deliveryStore:invoke"] },
      "example: needs deliveryStore:invoke but no delivery-store function has an invoke trigger",
    ],
    [
      "a memory floor under Lambda's least",
      { minimumMemoryMb: 64 },
      "example: minimumMemoryMb must be an integer 128..10240",
    ],
  ])("refuses %s, naming the function and the problem", (_case, change, message) => {
    const problems = manifestProblems([{ ...valid, ...change }], existsSync);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("accepts a function whose only trigger is invoke", () => {
    expect(manifestProblems([{ ...valid, triggers: [{ kind: "invoke" }] }], existsSync)).toEqual([]);
  });

  it("refuses a duplicate name", () => {
    expect(manifestProblems([valid, valid], existsSync)).toEqual(["example: duplicate function name"]);
  });

  it.each(["rate(1 minute)", "rate(5 minutes)", "rate(3 hours)", "cron(0 9 * * ? *)", "cron(0/15 * ? * MON-FRI *)"])(
    "accepts the schedule expression %s",
    (expression) => expect(isScheduleExpression(expression)).toBe(true),
  );

  it.each([
    "rate(1 minutes)",
    "rate(0 hours)",
    "rate(2 minute)",
    "cron(0 9 * * ?)",
    "cron()",
    "at(2026-01-01T00:00:00)",
  ])("refuses the schedule expression %s", (expression) => expect(isScheduleExpression(expression)).toBe(false));
});

describe("the topology the manifest implies (issue 14, docs/decisions/0005)", () => {
  it("puts in the VPC exactly the functions that reach Postgres: not the scheduler, the dispatcher or sessions", () => {
    expect(
      functions
        .filter(inVpc)
        .map((fn) => fn.name)
        .sort(),
    ).toEqual(["delivery-store", "matcher", "matching", "migrator", "scheduling"].sort());
  });

  it("gives each runtime function the database role of its capability, and the migrator none (the master user)", () => {
    expect(Object.fromEntries(functions.map((fn) => [fn.name, databaseRoleOf(fn) ?? null]))).toEqual({
      migrator: null,
      sessions: null,
      scheduling: "rendezvous_scheduling",
      scheduler: null,
      dispatcher: null,
      "delivery-store": "rendezvous_scheduling",
      matching: "rendezvous_matching",
      matcher: "rendezvous_matching",
    });
    expect(DATABASE_ROLES).toEqual(["rendezvous_scheduling", "rendezvous_matching"]);
  });

  it("has the scheduler and the dispatcher reach Postgres only through the internal delivery-store function", () => {
    expect(named("delivery-store")).toMatchObject({
      entry: "apps/scheduling/delivery-store-handler.ts",
      triggers: [{ kind: "invoke" }],
      needs: ["postgres:scheduling"],
    });
    expect(named("scheduler")?.needs).toEqual([
      "deliveryStore:invoke",
      "deliveriesQueue:send",
      "deliveriesDeadLetters:send",
    ]);
    expect(named("dispatcher")?.needs).toEqual([
      "deliveryStore:invoke",
      "deliveriesQueue:consume",
      "webhookSecret:read",
      "webhookUrl:read",
    ]);
  });

  it("brings the environment of the contract table with each need", () => {
    expect(NEED_ENV["postgres:scheduling"]).toEqual(["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME"]);
    expect(NEED_ENV["postgres:admin"]).toEqual(NEED_ENV["postgres:matching"]);
    expect(NEED_ENV["deliveryStore:invoke"]).toEqual(["DELIVERY_STORE_FUNCTION"]);
    expect(NEED_ENV["deliveriesDeadLetters:send"]).toEqual(["DELIVERIES_DLQ_URL"]);
    expect(NEED_ENV["webhookUrl:read"]).toEqual(["WEBHOOK_URL_PARAMETER"]);
  });
});
