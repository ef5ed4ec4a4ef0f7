import { describe, expect, it } from "vitest";
import { parseStackConfig, StackConfigError } from "./config.ts";
import { stackConfig } from "./stack-files.ts";

const staging = stackConfig("staging");
const problemsOf = (change: Record<string, string | undefined>): string[] => {
  try {
    parseStackConfig("staging", { ...staging, ...change });
    return [];
  } catch (error) {
    if (error instanceof StackConfigError) return [...error.problems];
    throw error;
  }
};

describe("the stack config", () => {
  it("reads both stack files", () => {
    const s = parseStackConfig("staging", staging);
    const p = parseStackConfig("production", stackConfig("production"));
    expect([s.logRetentionDays, p.logRetentionDays]).toEqual([7, 30]);
    expect([s.logLevel, p.logLevel]).toEqual(["debug", "info"]);
    for (const c of [s, p]) {
      expect(c.alarmThresholds).toEqual({
        lateDeliveryP99Ms: 15 * 60 * 1000,
        signInFailuresPer5Minutes: 50,
        oldestDeliveryAgeSeconds: 15 * 60,
      });
    }
    expect([s.dynamoBilling, p.dynamoBilling]).toEqual(["on-demand", "provisioned"]);
    expect([s.deletionProtection, p.deletionProtection]).toEqual([false, true]);
    expect(p.dynamoCapacity).toEqual({ minRead: 5, maxRead: 200, minWrite: 5, maxWrite: 100, targetUtilization: 70 });
    expect(s.schedules).toEqual({ scheduler: "rate(1 minute)", matcher: "rate(3 hours)" });
    // The public functions and the in-VPC store are capped per stack: 100 in production, as the sessions service
    // this replaces had (docs/decisions/0007).
    expect(s.reservedConcurrency).toEqual({ sessions: 10, matching: 10, scheduling: 2, "delivery-store": 5 });
    expect(p.reservedConcurrency).toEqual({ sessions: 100, matching: 100, scheduling: 10, "delivery-store": 20 });
    expect(JSON.parse(s.settings.oidcProviders ?? "{}").google.issuer).toBe("https://accounts.google.com");
  });

  it.each<[string, Record<string, string | undefined>, string]>([
    ["an old runtime", { "rendezvous:lambdaRuntime": "nodejs18.x" }, "rendezvous:lambdaRuntime: expected an LTS"],
    ["a runtime that is not LTS", { "rendezvous:lambdaRuntime": "nodejs23.x" }, "rendezvous:lambdaRuntime: expected"],
    [
      "a retention CloudWatch lacks",
      { "rendezvous:logRetentionDays": "10" },
      "rendezvous:logRetentionDays: expected one of",
    ],
    [
      "a retention that is not a number",
      { "rendezvous:logRetentionDays": "week" },
      "rendezvous:logRetentionDays: expected an integer",
    ],
    [
      "memory that is not a number",
      { "rendezvous:lambdaMemoryMb": "lots" },
      "rendezvous:lambdaMemoryMb: expected an integer",
    ],
    [
      "a yes/no that is neither",
      { "rendezvous:dbMultiAz": "yes" },
      'rendezvous:dbMultiAz: expected true or false, got "yes"',
    ],
    [
      "an unknown billing",
      { "rendezvous:dynamoBilling": "free" },
      "rendezvous:dynamoBilling: expected on-demand or provisioned",
    ],
    ["a missing alarm e-mail", { "rendezvous:alarmEmail": undefined }, "rendezvous:alarmEmail: required"],
    ["a malformed e-mail", { "rendezvous:alarmEmail": "ops" }, "rendezvous:alarmEmail: expected an e-mail address"],
    [
      "an origin with a path",
      { "rendezvous:corsOrigins": '["https://a.example/x"]' },
      "rendezvous:corsOrigins: expected",
    ],
    [
      "OIDC without a JWKS URL",
      { "rendezvous:oidcProviders": '{"g":{"issuer":"x","audience":"y"}}' },
      "rendezvous:oidcProviders",
    ],
    [
      "a plain-http webhook",
      { "rendezvous:webhookUrl": "http://hooks.example.com" },
      "rendezvous:webhookUrl: expected an https URL",
    ],
    ["a send time past midnight", { "rendezvous:sendTime": "24:00" }, "rendezvous:sendTime: expected HH:mm"],
    [
      "a malformed schedule",
      { "rendezvous:schedules": '{"matcher":"every 3 hours"}' },
      "rendezvous:schedules: expected",
    ],
    [
      "min above max capacity",
      { "rendezvous:dynamoCapacity": '{"minRead":50,"maxRead":10}' },
      "rendezvous:dynamoCapacity",
    ],
    [
      "a pause that is not a boolean",
      { "rendezvous:schedules": '{"matcher":{"paused":"yes"}}' },
      "rendezvous:schedules: expected",
    ],
    [
      "an unknown key in a schedule",
      { "rendezvous:schedules": '{"matcher":{"expresion":"rate(1 hour)"}}' },
      "rendezvous:schedules: expected",
    ],
    ["broken JSON", { "rendezvous:sessionPolicy": "{idle" }, "rendezvous:sessionPolicy: expected a JSON object"],
    ["a misspelt key", { "rendezvous:logRetention": "7" }, "rendezvous:logRetention: unknown key"],
    [
      "a log level Lambda's levels have but ours do not",
      { "rendezvous:logLevel": "trace" },
      'rendezvous:logLevel: expected one of debug, info, warn, error, got "trace"',
    ],
    ["a log level in capitals", { "rendezvous:logLevel": "INFO" }, "rendezvous:logLevel: expected one of debug"],
    [
      "an alarm threshold of zero",
      { "rendezvous:alarmThresholds": '{"lateDeliveryP99Ms":0}' },
      "rendezvous:alarmThresholds: expected an object of positive integers {lateDeliveryP99Ms,",
    ],
    [
      "an unknown alarm threshold",
      { "rendezvous:alarmThresholds": '{"lateDeliveryP99":60000}' },
      "rendezvous:alarmThresholds: expected an object of positive integers",
    ],
    [
      "a database class without a connection budget",
      { "rendezvous:dbInstanceClass": "db.m5.24xlarge" },
      "rendezvous:dbInstanceClass: expected one of db.t4g.micro",
    ],
    [
      "a reservation of zero",
      { "rendezvous:reservedConcurrency": '{"sessions":0}' },
      "rendezvous:reservedConcurrency: expected an object of function name -> reserved concurrency 1..1000",
    ],
  ])("refuses %s, naming the key", (_case, change, message) => {
    const problems = problemsOf(change);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(message);
  });

  it("pauses a schedule, with or without its own expression", () => {
    const config = parseStackConfig("staging", {
      ...staging,
      "rendezvous:schedules": JSON.stringify({
        scheduler: "rate(1 minute)",
        matcher: { paused: true },
        other: { expression: "rate(2 hours)", paused: false },
      }),
    });
    expect(config.schedules).toEqual({ scheduler: "rate(1 minute)", other: "rate(2 hours)" });
    expect(config.pausedSchedules).toEqual(["matcher"]);
    expect(parseStackConfig("staging", staging).pausedSchedules).toEqual([]);
  });

  it("logs at info and alarms at the default thresholds when a stack sets neither, and merges a partial threshold", () => {
    const bare = { ...staging, "rendezvous:logLevel": undefined, "rendezvous:alarmThresholds": undefined };
    const config = parseStackConfig("staging", bare);
    expect(config.logLevel).toBe("info");
    expect(config.alarmThresholds.signInFailuresPer5Minutes).toBe(50);
    const partial = parseStackConfig("staging", {
      ...bare,
      "rendezvous:alarmThresholds": '{"signInFailuresPer5Minutes":20}',
    });
    expect(partial.alarmThresholds).toEqual({ ...config.alarmThresholds, signInFailuresPer5Minutes: 20 });
  });

  it("lists every bad key at once", () => {
    expect(() =>
      parseStackConfig("staging", { "rendezvous:logRetentionDays": "7", "rendezvous:lambdaMemoryMb": "1" }),
    ).toThrow(/lambdaRuntime[\s\S]*lambdaMemoryMb|lambdaMemoryMb[\s\S]*lambdaRuntime/);
  });

  it("leaves settings that a stack does not configure to the functions' defaults", () => {
    const config = parseStackConfig("staging", { ...staging, "rendezvous:webhookUrl": undefined });
    expect(config.settings.webhookUrl).toBeUndefined();
    expect(config.settings.latePolicy).toBeUndefined();
  });
});
