import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { type FunctionSpec, functions, isScheduleExpression, manifestProblems, type Need } from "./manifest.ts";

const valid: FunctionSpec = {
  name: "example",
  description: "a valid function",
  entry: "apps/manifest.ts",
  triggers: [{ kind: "url", auth: "NONE" }],
  needs: ["postgres:scheduling"],
  settings: ["corsOrigins"],
};

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
      "a memory floor under Lambda's least",
      { minimumMemoryMb: 64 },
      "example: minimumMemoryMb must be an integer 128..10240",
    ],
  ])("refuses %s, naming the function and the problem", (_case, change, message) => {
    const problems = manifestProblems([{ ...valid, ...change }], existsSync);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
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
