/**
 * The monthly cost of a stack, from the resources the program creates under mocks (infra/testing.ts) and the price
 * table (infra/cost/prices.ts): one line per billable resource, the fixed total before any traffic, and what each
 * function costs per million invocations. A pure computation over recorded resources, so tests can hold it to the
 * goals. A resource type neither priced here nor listed free is an error, never a silent zero.
 */
import type { Recorded } from "../testing.ts";
import { type CustomMetricsCost, customMetricsCost } from "./custom-metrics.ts";
import { FREE_TYPES, HOURS_PER_MONTH, PRICES, type Region, type RegionPrices } from "./prices.ts";
import { invocationsPerMonth, SQS_IDLE_POLLS_PER_MONTH, typicalDurationMs } from "./usage.ts";

export interface CostLine {
  readonly type: string;
  readonly name: string;
  /** USD per month before any traffic. */
  readonly monthly: number;
  readonly basis: string;
}

export interface FunctionRate {
  readonly name: string;
  readonly memoryMb: number;
  readonly typicalMs: number;
  /** USD per million invocations: requests plus GB-seconds at its memory and typical duration (arm64). */
  readonly perMillion: number;
}

export interface Estimate {
  readonly region: Region;
  readonly lines: readonly CostLine[];
  readonly free: readonly CostLine[];
  readonly fixedMonthly: number;
  readonly functions: readonly FunctionRate[];
  /** The business metrics: the idle part is a line of `lines`; the ceiling is what traffic can add. */
  readonly customMetrics: CustomMetricsCost;
}

/** The type of the custom metrics' line: not a resource, what the functions' EMF lines create. */
export const CUSTOM_METRICS_TYPE = "cloudwatch:custom-metrics";

export class UnpricedResourceError extends Error {
  constructor(readonly types: readonly string[]) {
    super(`no price for resource type(s) ${types.join(", ")}: add them to infra/cost/prices.ts (priced or free)`);
    this.name = "UnpricedResourceError";
  }
}

const round = (usd: number) => Math.round(usd * 100) / 100;

const perInvocation = (p: RegionPrices, memoryMb: number, ms: number): number =>
  p.lambdaPerMillionRequests / 1e6 + (memoryMb / 1024) * (ms / 1000) * p.lambdaGbSecond;

/** The component's own type prefix: ours are containers; their children are priced one by one. */
const isOwnComponent = (type: string) => type.startsWith("rendezvous:infra:");

type Pricer = (
  r: Recorded,
  p: RegionPrices,
  all: readonly Recorded[],
  prefix: string,
) => Omit<CostLine, "type" | "name">;

/** The function an ARN names, directly or through one of its aliases (schedules target the `live` alias). */
const functionOf = (all: readonly Recorded[], arn: string) => {
  const alias = all.find((r) => r.type === "aws:lambda/alias:Alias" && r.state.arn === arn);
  const functionName = alias?.inputs.functionName;
  return all.find(
    (r) =>
      r.type === "aws:lambda/function:Function" &&
      (r.state.arn === arn || (functionName !== undefined && r.state.name === functionName)),
  );
};

const PRICED: Readonly<Record<string, Pricer>> = {
  "aws:rds/instance:Instance": (r, p) => {
    const cls = String(r.inputs.instanceClass);
    const hourly = p.rdsInstanceHour[cls];
    if (!hourly) throw new UnpricedResourceError([`${r.type} class ${cls}`]);
    const az = r.inputs.multiAz ? "multiAz" : "singleAz";
    const storageType = (r.inputs.storageType ?? "gp2") as "gp3" | "gp2";
    const storage = p.rdsStorageGbMonth[storageType];
    if (!storage) throw new UnpricedResourceError([`${r.type} storage ${storageType}`]);
    const gb = Number(r.inputs.allocatedStorage);
    const secret = r.inputs.manageMasterUserPassword ? p.secretMonth : 0;
    return {
      monthly: hourly[az] * HOURS_PER_MONTH + gb * storage[az] + secret,
      basis: `${cls} ${az === "multiAz" ? "Multi-AZ" : "single-AZ"}, ${gb} GB ${storageType}${secret ? ", managed master secret" : ""}`,
    };
  },
  "aws:ec2/natGateway:NatGateway": (_r, p) => ({
    monthly: p.natGatewayHour * HOURS_PER_MONTH,
    basis: "NAT gateway-hours",
  }),
  "aws:ec2/eip:Eip": (_r, p) => ({ monthly: p.publicIpv4Hour * HOURS_PER_MONTH, basis: "public IPv4 address-hours" }),
  "aws:ec2/vpcEndpoint:VpcEndpoint": (r, p) => {
    if (r.inputs.vpcEndpointType !== "Interface") return { monthly: 0, basis: "gateway endpoint: free" };
    const azs = (r.inputs.subnetIds ?? []).length;
    return { monthly: azs * p.interfaceEndpointAzHour * HOURS_PER_MONTH, basis: `interface endpoint in ${azs} AZs` };
  },
  // Under mocks awsx's Vpc is one resource: its NAT gateways (and their IPv4 addresses) follow from its arguments.
  "awsx:ec2:Vpc": (r, p) => {
    const strategy = r.inputs.natGateways?.strategy ?? "OnePerAz";
    const azs = (r.inputs.availabilityZoneNames ?? []).length || (r.inputs.numberOfAvailabilityZones ?? 3);
    const nats = strategy === "None" ? 0 : strategy === "Single" ? 1 : azs;
    return {
      monthly: nats * (p.natGatewayHour + p.publicIpv4Hour) * HOURS_PER_MONTH,
      basis: `awsx VPC, ${nats} NAT gateways (strategy ${strategy}); subnets, routes, internet gateway free`,
    };
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (r, p) => {
    const metrics = r.inputs.metricQueries
      ? (r.inputs.metricQueries as { metric?: unknown }[]).filter((q) => q.metric).length
      : 1;
    return { monthly: metrics * p.alarmMetricMonth, basis: `standard alarm, ${metrics} metric(s)` };
  },
  "aws:cloudwatch/dashboard:Dashboard": (_r, p) => ({ monthly: p.dashboardMonth, basis: "dashboard" }),
  "aws:secretsmanager/secret:Secret": (_r, p) => ({ monthly: p.secretMonth, basis: "secret" }),
  "aws:kms/key:Key": (_r, p) => ({ monthly: p.kmsKeyMonth, basis: "customer managed key" }),
  "aws:dynamodb/table:Table": (r, p) => {
    if (r.inputs.billingMode !== "PROVISIONED") return { monthly: 0, basis: "on demand: per request" };
    const indexes = (r.inputs.globalSecondaryIndexes ?? []) as { readCapacity?: number; writeCapacity?: number }[];
    const rcu = Number(r.inputs.readCapacity ?? 0) + indexes.reduce((n, i) => n + Number(i.readCapacity ?? 0), 0);
    const wcu = Number(r.inputs.writeCapacity ?? 0) + indexes.reduce((n, i) => n + Number(i.writeCapacity ?? 0), 0);
    return {
      monthly: (rcu * p.dynamoRcuHour + wcu * p.dynamoWcuHour) * HOURS_PER_MONTH,
      basis: `provisioned floor ${rcu} RCU + ${wcu} WCU (table and indexes)`,
    };
  },
  // A schedule fires whether or not there is work: its invocations and the target's runs are fixed cost.
  "aws:scheduler/schedule:Schedule": (r, p, all, prefix) => {
    const runs = r.inputs.state === "DISABLED" ? 0 : invocationsPerMonth(String(r.inputs.scheduleExpression));
    const target = functionOf(all, r.inputs.target?.arn);
    const name = String(target?.inputs.name ?? "").replace(`${prefix}-`, "");
    const memory = Number(target?.inputs.memorySize ?? 128);
    const ms = typicalDurationMs(name);
    const each = p.schedulerPerMillionInvocations / 1e6 + perInvocation(p, memory, ms);
    return { monthly: runs * each, basis: `${Math.round(runs)} runs/month of ${name} at ${memory} MB × ${ms} ms` };
  },
  // Lambda polls a queue it is mapped to whether or not it holds messages (long polls by several pollers).
  "aws:lambda/eventSourceMapping:EventSourceMapping": (_r, p) => ({
    monthly: (SQS_IDLE_POLLS_PER_MONTH * p.sqsPerMillionRequests) / 1e6,
    basis: `${SQS_IDLE_POLLS_PER_MONTH} idle SQS long polls/month`,
  }),
};

/** Prices every recorded resource of a stack named `prefix` (e.g. `rendezvous-staging`) in `region`. */
export const estimate = (resources: readonly Recorded[], region: Region, prefix: string): Estimate => {
  const p = PRICES[region];
  const unknown = [
    ...new Set(resources.map((r) => r.type).filter((t) => !isOwnComponent(t) && !PRICED[t] && !FREE_TYPES[t])),
  ];
  if (unknown.length > 0) throw new UnpricedResourceError(unknown);
  const lines: CostLine[] = [];
  const free: CostLine[] = [];
  for (const r of resources) {
    if (isOwnComponent(r.type)) continue;
    const pricer = PRICED[r.type];
    const line = pricer
      ? { type: r.type, name: r.name, ...pricer(r, p, resources, prefix) }
      : { type: r.type, name: r.name, monthly: 0, basis: FREE_TYPES[r.type] ?? "" };
    (line.monthly > 0 ? lines : free).push({ ...line, monthly: round(line.monthly) });
  }
  const schedules = resources
    .filter((r) => r.type === "aws:scheduler/schedule:Schedule" && r.inputs.state !== "DISABLED")
    .map((r) => ({
      name: String(functionOf(resources, r.inputs.target?.arn)?.inputs.name ?? "").replace(`${prefix}-`, ""),
      expression: String(r.inputs.scheduleExpression),
    }));
  const customMetrics = customMetricsCost(schedules, p);
  // A line of its own, not a resource: none when nothing emits while idle.
  if (customMetrics.idleMonthly > 0) {
    const monthly = round(customMetrics.idleMonthly);
    lines.push({ type: CUSTOM_METRICS_TYPE, name: `${prefix}-business-metrics`, monthly, basis: customMetrics.basis });
  }
  const functions = resources
    .filter((r) => r.type === "aws:lambda/function:Function")
    .map((r) => {
      const name = String(r.inputs.name).replace(`${prefix}-`, "");
      const memoryMb = Number(r.inputs.memorySize);
      const typicalMs = typicalDurationMs(name);
      return { name, memoryMb, typicalMs, perMillion: round(perInvocation(p, memoryMb, typicalMs) * 1e6) };
    });
  const fixedMonthly = round(lines.reduce((sum, line) => sum + line.monthly, 0));
  return { region, lines, free, fixedMonthly, functions, customMetrics };
};
