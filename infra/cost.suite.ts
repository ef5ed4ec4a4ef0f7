import { describe, expect, it } from "vitest";
import { functions } from "../apps/manifest.ts";
import { METRICS, type MetricSpec } from "../apps/telemetry.ts";
import { DATABASE_CLASSES } from "./connection-budget.ts";
import { CUSTOM_METRICS_TYPE, estimate, UnpricedResourceError } from "./cost/estimate.ts";
import { PRICES, type Region } from "./cost/prices.ts";
import { invocationsPerMonth } from "./cost/usage.ts";
import { type Recorded, sharedRun } from "./testing.ts";

/** Issue 14's goals for the fixed monthly cost, in USD, before any traffic. */
const GOALS: Record<string, number> = { staging: 25, production: 90 };
const REGIONS = Object.keys(PRICES) as Region[];

const resource = (type: string, inputs: Recorded["inputs"] = {}): Recorded => ({
  type,
  name: `a-${type.split(":").pop()}`,
  inputs,
  state: inputs,
});

describe.each(["staging", "production"])("the %s stack's cost (npm run cost)", (stage) => {
  it.each(REGIONS)(`stays within the goal in %s, with no NAT gateway and no interface endpoint`, async (region) => {
    const run = await sharedRun(stage, functions);
    const e = estimate(run.resources, region, `rendezvous-${stage}`);
    expect(e.fixedMonthly).toBeLessThanOrEqual(GOALS[stage] ?? 0);
    expect(e.fixedMonthly).toBeCloseTo(
      e.lines.reduce((sum, l) => sum + l.monthly, 0),
      2,
    );
    expect(e.lines.map((l) => l.basis).join("\n")).not.toMatch(/NAT|interface endpoint|IPv4/);
    expect(e.functions.map((f) => f.name).sort()).toEqual(functions.map((fn) => fn.name).sort());
    for (const f of e.functions) expect(f.perMillion, f.name).toBeGreaterThan(0.2);
  });

  it("counts the business alarms at the standard price, the sign-in alarm per reason it sums", async () => {
    const e = estimate((await sharedRun(stage, functions)).resources, "eu-west-1", `rendezvous-${stage}`);
    const alarm = (id: string) => e.lines.find((l) => l.name === `rendezvous-${stage}-alarms-${id}`)?.monthly;
    expect(["late-deliveries", "dead-lettered", "deliveries-oldest-age", "matcher-not-running"].map(alarm)).toEqual([
      0.1, 0.1, 0.1, 0.1,
    ]);
    expect(alarm("sign-in-failures")).toBe(0.4);
  });

  it("counts the custom metrics the matcher's runs emit while idle, and says what traffic can add", async () => {
    const e = estimate((await sharedRun(stage, functions)).resources, "eu-west-1", `rendezvous-${stage}`);
    const line = e.lines.find((l) => l.type === CUSTOM_METRICS_TYPE);
    // Three combinations, in the 243 hours a month the matcher runs (rate(3 hours)), at $0.30 a metric-month.
    expect(line?.monthly).toBeCloseTo((3 * 243.33 * 0.3) / 730, 2);
    expect(line?.basis).toMatch(/matcher: BatchRuns Outcome=completed, PoolSize, BatchDuration, 243 h\/month/);
    const combinations = Object.values(METRICS).reduce((n, m: MetricSpec) => n + (m.dimension?.values.length ?? 1), 0);
    expect(e.customMetrics.combinations).toBe(combinations);
    expect(e.customMetrics.ceilingMonthly).toBeCloseTo(combinations * 0.3, 6);
  });
});

describe("the cost estimator", () => {
  it("refuses a resource type the price table does not know, instead of pricing it at zero", () => {
    const unknown = [
      resource("aws:ec2/instance:Instance", { instanceType: "t4g.nano" }),
      resource("aws:iam/role:Role"),
    ];
    expect(() => estimate(unknown, "eu-west-1", "x")).toThrow(UnpricedResourceError);
    expect(() => estimate(unknown, "eu-west-1", "x")).toThrow(/aws:ec2\/instance:Instance: add them/);
  });

  it("refuses a database class it has no price for", () => {
    const db = resource("aws:rds/instance:Instance", { instanceClass: "db.r7g.large", allocatedStorage: 20 });
    expect(() => estimate([db], "us-east-1", "x")).toThrow(/db\.r7g\.large/);
  });

  it("prices every class the connection budget allows, in both regions", () => {
    for (const region of REGIONS)
      for (const cls of Object.keys(DATABASE_CLASSES)) expect(PRICES[region].rdsInstanceHour[cls], cls).toBeDefined();
  });

  it("prices what the old topology had: NAT gateways with their IPv4, interface endpoints per AZ", () => {
    const e = estimate(
      [
        resource("awsx:ec2:Vpc", { availabilityZoneNames: ["a", "b"], natGateways: { strategy: "OnePerAz" } }),
        resource("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Interface", subnetIds: ["s1", "s2"] }),
        resource("aws:ec2/vpcEndpoint:VpcEndpoint", { vpcEndpointType: "Gateway" }),
      ],
      "us-east-1",
      "x",
    );
    expect(e.lines.map((l) => l.monthly)).toEqual([73, 14.6]);
    expect(e.free.map((l) => l.basis)).toEqual(["gateway endpoint: free"]);
  });

  it("prices a Multi-AZ database at twice the instance-hours and storage", () => {
    const db = (multiAz: boolean) =>
      resource("aws:rds/instance:Instance", {
        instanceClass: "db.t4g.small",
        allocatedStorage: 20,
        storageType: "gp3",
        multiAz,
      });
    const [single, multi] = [false, true].map((m) => estimate([db(m)], "us-east-1", "x").fixedMonthly);
    expect([single, multi]).toEqual([25.66, 51.32]);
  });

  it("bills the idle custom metrics per hour with data: none for a paused matcher, every hour at most", () => {
    const arn = "arn:aws:lambda:eu-west-1:123456789012:function:x-matcher";
    const stack = (state: string, scheduleExpression: string) => [
      resource("aws:lambda/function:Function", { name: "x-matcher", memorySize: 1536, arn }),
      resource("aws:scheduler/schedule:Schedule", { state, scheduleExpression, target: { arn } }),
    ];
    const metrics = (state: string, expression: string) => estimate(stack(state, expression), "us-east-1", "x");
    expect(metrics("ENABLED", "rate(3 hours)").customMetrics.idleMonthly).toBeCloseTo(0.3, 2);
    // Every minute is still one billed hour per hour: 3 metrics × $0.30.
    expect(metrics("ENABLED", "rate(1 minute)").customMetrics.idleMonthly).toBeCloseTo(0.9, 6);
    const paused = metrics("DISABLED", "rate(3 hours)");
    expect(paused.customMetrics.idleMonthly).toBe(0);
    expect([...paused.lines, ...paused.free].map((l) => l.type)).not.toContain(CUSTOM_METRICS_TYPE);
    expect(paused.customMetrics.basis).toMatch(/while idle \(none\)/);
  });

  it("counts a schedule's runs per month", () => {
    expect(invocationsPerMonth("rate(1 minute)")).toBe(43800);
    expect(invocationsPerMonth("rate(3 hours)")).toBeCloseTo(243.3, 1);
    expect(invocationsPerMonth("cron(0 9 * * ? *)")).toBeCloseTo(30.42, 2);
    expect(() => invocationsPerMonth("every minute")).toThrow(/cannot count/);
  });
});
