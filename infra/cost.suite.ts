import { describe, expect, it } from "vitest";
import { functions } from "../apps/manifest.ts";
import { DATABASE_CLASSES } from "./connection-budget.ts";
import { estimate, UnpricedResourceError } from "./cost/estimate.ts";
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

  it("counts a schedule's runs per month", () => {
    expect(invocationsPerMonth("rate(1 minute)")).toBe(43800);
    expect(invocationsPerMonth("rate(3 hours)")).toBeCloseTo(243.3, 1);
    expect(invocationsPerMonth("cron(0 9 * * ? *)")).toBeCloseTo(30.42, 2);
    expect(() => invocationsPerMonth("every minute")).toThrow(/cannot count/);
  });
});
