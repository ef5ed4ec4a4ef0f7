import { beforeAll, describe, expect, it } from "vitest";
import { type FunctionSpec, functions } from "../apps/manifest.ts";
import { type NetworkKind, networkKindOf, unreachableFromVpc } from "./placement.ts";
import { lambdaOf } from "./policies.ts";
import { CONTRACT_NEEDS, SAMPLE_FUNCTIONS } from "./sample-functions.ts";
import { REGION, runStack, type StackRun, sharedRun, stackConfig } from "./testing.ts";

/** EC2's character set for security group and rule descriptions (CreateSecurityGroup, AuthorizeSecurityGroup*). */
const EC2_DESCRIPTION = /^[a-zA-Z0-9. _\-:/()#,@[\]+=&;{}!$*]{0,255}$/;

const RULE_TYPES = [
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
];

/** A manifest entry with the contract's needs (they are not all in today's Need type, hence the cast). */
const contractSpec = (name: string): FunctionSpec => ({
  name,
  description: name,
  entry: "apps/manifest.ts",
  triggers: [{ kind: "url", auth: "AWS_IAM" }],
  needs: (CONTRACT_NEEDS[name] ?? []) as FunctionSpec["needs"],
  settings: name === "dispatcher" ? ["webhookUrl"] : [],
});

describe("VPC placement (docs/decisions/0007)", () => {
  it("puts exactly the contract's Postgres functions in the VPC, each in the group of its kind", () => {
    const kinds = Object.fromEntries(Object.keys(CONTRACT_NEEDS).map((n) => [n, networkKindOf(contractSpec(n))]));
    expect(kinds).toEqual({
      migrator: "postgres",
      scheduling: "postgres",
      "delivery-store": "postgres",
      matching: "postgres-dynamodb",
      matcher: "postgres",
      sessions: undefined,
      scheduler: undefined,
      dispatcher: undefined,
    });
  });

  it("finds nothing the contract's in-VPC functions need beyond Postgres and DynamoDB", () => {
    expect(Object.keys(CONTRACT_NEEDS).flatMap((n) => unreachableFromVpc(contractSpec(n)))).toEqual([]);
  });

  it("names what an in-VPC function would need the internet for", () => {
    const dispatcherInVpc: FunctionSpec = {
      ...contractSpec("dispatcher"),
      needs: ["postgres:scheduling", "webhookSecret:read"],
    };
    expect(unreachableFromVpc(dispatcherInVpc)).toEqual([
      "dispatcher: is in the VPC (it needs Postgres) but needs webhookSecret:read, which only the internet reaches",
      "dispatcher: is in the VPC (it needs Postgres) but reads webhookUrl, an internet address",
    ]);
  });

  it.skipIf(!functions.some((fn) => fn.name === "delivery-store"))(
    "holds for the manifest once it carries the contract's needs",
    () => {
      expect(functions.flatMap(unreachableFromVpc)).toEqual([]);
      expect(functions.filter((fn) => networkKindOf(fn)).map((fn) => fn.name)).not.toContain("dispatcher");
    },
  );
});

describe.each(["staging", "production"])("the %s network", (stage) => {
  let run: StackRun;
  beforeAll(async () => {
    run = await sharedRun(stage, SAMPLE_FUNCTIONS);
  });
  const groupId = (kind: NetworkKind) => `rendezvous-${stage}-fn-${kind}-id`;

  it("is one awsx VPC: private subnets in two named AZs at fixed CIDRs, no NAT gateway", () => {
    const [vpc, ...others] = run.ofType("awsx:ec2:Vpc");
    expect(others).toEqual([]);
    expect(vpc?.inputs).toEqual({
      cidrBlock: "10.40.0.0/16",
      availabilityZoneNames: [`${REGION}a`, `${REGION}b`],
      subnetStrategy: "Auto",
      subnetSpecs: [{ type: "Private", name: "private", cidrBlocks: ["10.40.0.0/20", "10.40.16.0/20"] }],
      natGateways: { strategy: "None" },
      enableDnsHostnames: true,
      enableDnsSupport: true,
      tags: { Environment: stage, Service: "rendezvous" },
    });
    const subnets = run.ofType("aws:rds/subnetGroup:SubnetGroup")[0]?.inputs.subnetIds;
    expect(subnets).toEqual(vpc?.state.privateSubnetIds);
    for (const type of ["aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip", "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet"])
      expect(run.ofType(type), type).toEqual([]);
  });

  it("has one endpoint, DynamoDB's free gateway, on awsx's route tables (the private subnets')", () => {
    const endpoints = run.ofType("aws:ec2/vpcEndpoint:VpcEndpoint").map((e) => e.inputs);
    const subnets: string[] = run.ofType("awsx:ec2:Vpc")[0]?.state.privateSubnetIds;
    expect(endpoints).toEqual([
      {
        vpcId: `vpc-rendezvous-${stage}`,
        serviceName: `com.amazonaws.${REGION}.dynamodb`,
        vpcEndpointType: "Gateway",
        routeTableIds: subnets.map((s) => s.replace("subnet-", "rtb-")),
        tags: { Environment: stage, Service: "rendezvous" },
      },
    ]);
  });

  it("gives each kind of function a group with exactly its egress, and the database admits only those", () => {
    const rules = RULE_TYPES.flatMap((t) => run.ofType(t)).map((r) => ({
      on: r.inputs.securityGroupId,
      way: r.type.includes("Egress") ? "egress" : "ingress",
      to: r.inputs.referencedSecurityGroupId ?? r.inputs.prefixListId ?? r.inputs.cidrIpv4,
      port: `${r.inputs.ipProtocol}/${r.inputs.fromPort}-${r.inputs.toPort}`,
    }));
    const db = `rendezvous-${stage}-db-id`;
    const dynamodb = `pl-rendezvous-${stage}-dynamodb`;
    expect(rules).toEqual(
      expect.arrayContaining([
        { on: groupId("postgres"), way: "egress", to: db, port: "tcp/5432-5432" },
        { on: groupId("postgres-dynamodb"), way: "egress", to: db, port: "tcp/5432-5432" },
        { on: groupId("postgres-dynamodb"), way: "egress", to: dynamodb, port: "tcp/443-443" },
        { on: db, way: "ingress", to: groupId("postgres"), port: "tcp/5432-5432" },
        { on: db, way: "ingress", to: groupId("postgres-dynamodb"), port: "tcp/5432-5432" },
      ]),
    );
    expect(rules).toHaveLength(5);
    // No inline rules: EC2's default all-egress rule is revoked by the provider and nothing re-adds it.
    for (const group of run.ofType("aws:ec2/securityGroup:SecurityGroup")) {
      expect(group.inputs.egress, group.name).toBeUndefined();
      expect(group.inputs.ingress, group.name).toBeUndefined();
    }
  });

  it("places every in-VPC function in its kind's group, on the VPC's subnets, after its rules", () => {
    const subnets: string[] = run.ofType("awsx:ec2:Vpc")[0]?.state.privateSubnetIds;
    const order = (type: string, name: string) => run.resources.findIndex((r) => r.type === type && r.name === name);
    for (const fn of SAMPLE_FUNCTIONS) {
      const kind = networkKindOf(fn);
      const lambda = lambdaOf(run, stage, fn.name);
      if (!kind) {
        expect(lambda.inputs.vpcConfig, fn.name).toBeUndefined();
        continue;
      }
      expect(lambda.inputs.vpcConfig, fn.name).toEqual({ subnetIds: subnets, securityGroupIds: [groupId(kind)] });
      const mine = RULE_TYPES.flatMap((t) => run.ofType(t)).filter(
        (r) =>
          r.name.startsWith(`rendezvous-${stage}-fn-${kind}-to-`) || r.name === `rendezvous-${stage}-db-from-${kind}`,
      );
      expect(mine.length, fn.name).toBe(kind === "postgres" ? 2 : 3);
      // Its route to DynamoDB exists before a function that calls it does.
      if (kind === "postgres-dynamodb")
        mine.push(run.one("aws:ec2/vpcEndpoint:VpcEndpoint", `rendezvous-${stage}-dynamodb`));
      for (const rule of mine)
        expect(order(lambda.type, lambda.name), `${fn.name} after ${rule.name}`).toBeGreaterThan(
          order(rule.type, rule.name),
        );
    }
  });

  it("describes every group and rule in EC2's character set", () => {
    const described = [
      ...run.ofType("aws:ec2/securityGroup:SecurityGroup"),
      ...RULE_TYPES.flatMap((t) => run.ofType(t)),
    ];
    expect(described.length).toBeGreaterThan(5);
    for (const r of described) expect(r.inputs.description, r.name).toMatch(EC2_DESCRIPTION);
    expect("PostgreSQL, from the functions' security group only").not.toMatch(EC2_DESCRIPTION);
  });
});

describe("the connection budget at preview", () => {
  it("fails a stack whose reservations do not fit the database class, saying which and why", async () => {
    const config = { ...stackConfig("production"), "rendezvous:dbInstanceClass": "db.t4g.micro" };
    await expect(runStack("production", SAMPLE_FUNCTIONS, config)).rejects.toThrow(
      /connection budget does not fit: .*matching 100 × 1.* db\.t4g\.micro allows 60 .*rendezvous:reservedConcurrency/,
    );
  });
});
