import { beforeAll, describe, expect, it } from "vitest";
import { DELIVERIES_QUEUE, functions, memoryOf, NEED_ENV, SETTINGS, timeoutOf } from "../apps/manifest.ts";
import { OBSERVABILITY_ENV } from "../apps/telemetry.ts";
import { effectiveNeeds, effectiveSettings, NEED_ACTIONS, RDS_CA_ENV } from "./access.ts";
import { inVpc } from "./placement.ts";
import { lambdaOf, privilegeProblems, rolePolicyOf, STAR_ONLY_ACTIONS, statementsOf } from "./policies.ts";
import { SAMPLE_FUNCTIONS } from "./sample-functions.ts";
import { REGION, type Recorded, type StackRun, sharedRun, stackConfig } from "./testing.ts";

/** API.md "Stack outputs", in its order. */
const OUTPUT_KEYS = [
  "stage",
  "region",
  "urls",
  "sessionsTableName",
  "deliveriesQueueUrl",
  "deliveriesDlqUrl",
  "functionNames",
  "databaseEndpoint",
  "alarmTopicArn",
  "dashboardUrl",
];

/** Actions every function has whatever it needs: its logs, tracing, and (in the VPC) its network interfaces. */
const BASE_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents", "xray:PutTraceSegments", "xray:PutTelemetryRecords"];
const VPC_ACTIONS = [
  "ec2:DescribeNetworkInterfaces",
  "ec2:DescribeSubnets",
  "ec2:CreateNetworkInterface",
  "ec2:DeleteNetworkInterface",
  "ec2:AssignPrivateIpAddresses",
  "ec2:UnassignPrivateIpAddresses",
];

describe.each(["staging", "production"])("the %s stack", (stage) => {
  const config = stackConfig(stage);
  let manifest: StackRun;
  let sample: StackRun;
  beforeAll(async () => {
    manifest = await sharedRun(stage, functions);
    sample = await sharedRun(stage, SAMPLE_FUNCTIONS);
  });

  it("gives the matcher its memory floor above the stack's figure (a whole pool in memory)", () => {
    expect(Number(config["rendezvous:lambdaMemoryMb"])).toBeLessThan(1536);
    expect(lambdaOf(manifest, stage, "matcher").inputs.memorySize).toBe(1536);
    expect(lambdaOf(manifest, stage, "sessions").inputs.memorySize).toBe(Number(config["rendezvous:lambdaMemoryMb"]));
  });

  describe("for every function of the manifest as it stands", () => {
    it.each(functions.map((fn) => [fn.name, fn] as const))("%s: code, runtime, tracing, logs, alarms", (name, fn) => {
      const lambda = lambdaOf(manifest, stage, name).inputs;
      expect(lambda.runtime).toBe(config["rendezvous:lambdaRuntime"]);
      expect(lambda.architectures).toEqual(["arm64"]);
      expect(lambda.tracingConfig).toEqual({ mode: "Active" });
      expect(lambda.memorySize).toBe(memoryOf(fn, Number(config["rendezvous:lambdaMemoryMb"])));
      expect(lambda.timeout).toBe(timeoutOf(fn));
      const reserved = JSON.parse(config["rendezvous:reservedConcurrency"] ?? "{}")[name] ?? fn.reservedConcurrency;
      expect(lambda.reservedConcurrentExecutions).toBe(reserved);
      expect(Boolean(lambda.vpcConfig)).toBe(inVpc(fn));
      const logGroup = manifest.one("aws:cloudwatch/logGroup:LogGroup", `rendezvous-${stage}-${name}`).inputs;
      expect(logGroup.retentionInDays).toBe(Number(config["rendezvous:logRetentionDays"]));
      expect(lambda.loggingConfig.logGroup).toBe(logGroup.name);
      const alarms = manifest.ofType("aws:cloudwatch/metricAlarm:MetricAlarm").map((a) => a.inputs.name);
      expect(alarms).toContain(`rendezvous-${stage}-${name}-throttles`);
      expect(alarms.some((a) => a.startsWith(`rendezvous-${stage}-${name}-error`))).toBe(true);
    });

    it.each(functions.map((fn) => [fn.name, fn] as const))("%s: exactly the actions its needs grant", (name, fn) => {
      const statements = rolePolicyOf(manifest, stage, name);
      expect(statements.flatMap((s) => privilegeProblems(name, [s]))).toEqual([]);
      const expected = new Set([
        ...BASE_ACTIONS,
        ...(inVpc(fn) ? VPC_ACTIONS : []),
        ...(fn.triggers.some((t) => t.kind === "schedule") ? ["sqs:SendMessage"] : []),
        ...effectiveNeeds(fn).flatMap((need) => NEED_ACTIONS[need]),
      ]);
      expect(new Set(statements.flatMap((s) => s.Action))).toEqual(expected);
    });

    it.each(functions.map((fn) => [fn.name, fn] as const))("%s: environment of names, ARNs, URLs", (name, fn) => {
      const env: Record<string, string> = lambdaOf(manifest, stage, name).inputs.environment?.variables ?? {};
      const expected = new Set([
        ...Object.values(OBSERVABILITY_ENV),
        ...effectiveNeeds(fn).flatMap((need) => NEED_ENV[need]),
        ...(inVpc(fn) ? Object.keys(RDS_CA_ENV) : []),
        ...effectiveSettings(fn)
          .filter((s) => config[`rendezvous:${s}`] !== undefined)
          .map((s) => SETTINGS[s]),
      ]);
      expect(new Set(Object.keys(env))).toEqual(expected);
    });
  });

  it("has exactly the outputs of API.md", () => {
    for (const run of [manifest, sample]) expect(Object.keys(run.outputs)).toEqual(OUTPUT_KEYS);
    expect(sample.outputs.stage).toBe(stage);
    expect(Object.keys(sample.outputs.urls).sort()).toEqual(["matcher", "matching", "scheduling", "sessions"]);
    expect(Object.keys(sample.outputs.functionNames).sort()).toEqual(SAMPLE_FUNCTIONS.map((f) => f.name).sort());
    expect(sample.outputs.dashboardUrl).toMatch(/^https:\/\/.*cloudwatch.*#dashboards:name=rendezvous-/);
  });

  it("holds no secret value in any function environment or output", () => {
    // Pulumi marks the value secret: the engine receives it wrapped, with the value inside.
    const wrapped = sample.ofType("aws:secretsmanager/secretVersion:SecretVersion")[0]?.inputs.secretString;
    expect(wrapped).toHaveProperty("4dabf18193072939515e22adb298388d", "1b47061264138c4ac30d75fd1eb44270");
    const secret: string = wrapped.value;
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/=]{40,}$/);
    const environments = sample
      .ofType("aws:lambda/function:Function")
      .map((f) => f.inputs.environment?.variables ?? {});
    const exposed = JSON.stringify([environments, sample.outputs]);
    expect(exposed).not.toContain(secret);
    expect(exposed).not.toMatch(/password/i);
    const keys = environments.flatMap((env: Record<string, string>) => Object.keys(env));
    expect(keys.filter((key) => /SECRET|PASSWORD|TOKEN/.test(key) && !key.endsWith("_SECRET_ARN"))).toEqual([]);
    const database = sample.ofType("aws:rds/instance:Instance")[0]?.inputs;
    expect(database?.password).toBeUndefined();
    expect(database?.manageMasterUserPassword).toBe(true);
  });

  it("gives no role a wildcard action or a '*' resource beyond X-Ray's puts and the ENI describes", () => {
    const policies = [...manifest.resources, ...sample.resources].filter(
      (r) => r.type === "aws:iam/rolePolicy:RolePolicy",
    );
    expect(policies.length).toBeGreaterThan(SAMPLE_FUNCTIONS.length);
    expect(policies.flatMap((p) => privilegeProblems(p.name, statementsOf(p)))).toEqual([]);
    const star = policies.flatMap((p) => statementsOf(p)).filter((s) => s.Resource.includes("*"));
    expect(star.flatMap((s) => s.Action).every((a) => STAR_ONLY_ACTIONS.has(a))).toBe(true);
  });

  it("keeps the database private, encrypted, TLS-only, IAM-authenticated and open to the function groups only", () => {
    const db = sample.ofType("aws:rds/instance:Instance")[0]?.inputs;
    expect(db).toMatchObject({ engine: "postgres", engineVersion: "17", storageEncrypted: true });
    expect(db).toMatchObject({ iamDatabaseAuthenticationEnabled: true, caCertIdentifier: "rds-ca-rsa2048-g1" });
    expect(db?.publiclyAccessible).toBe(false);
    expect(db?.vpcSecurityGroupIds).toEqual([`rendezvous-${stage}-db-id`]);
    const parameters = sample.ofType("aws:rds/parameterGroup:ParameterGroup")[0]?.inputs;
    expect(parameters?.parameters).toEqual([{ name: "rds.force_ssl", value: "1" }]);
    const admitted = sample
      .ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
      .filter((r) => r.inputs.securityGroupId === `rendezvous-${stage}-db-id`)
      .map((r) => [r.inputs.ipProtocol, r.inputs.fromPort, r.inputs.toPort, r.inputs.referencedSecurityGroupId]);
    expect(admitted.sort()).toEqual([
      ["tcp", 5432, 5432, `rendezvous-${stage}-fn-postgres-dynamodb-id`],
      ["tcp", 5432, 5432, `rendezvous-${stage}-fn-postgres-id`],
    ]);
  });

  it("sets up the deliveries queue, its DLQ and the dispatcher's event source mapping", () => {
    const queue = sample.one("aws:sqs/queue:Queue", `rendezvous-${stage}-deliveries`).inputs;
    expect(queue.messageRetentionSeconds).toBe(14 * 24 * 3600);
    expect(queue.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * 30);
    const redrive = JSON.parse(queue.redrivePolicy);
    expect(redrive.maxReceiveCount).toBe(DELIVERIES_QUEUE.maxReceiveCount);
    expect(redrive.deadLetterTargetArn).toContain(`rendezvous-${stage}-deliveries-dlq`);
    const mapping = sample.ofType("aws:lambda/eventSourceMapping:EventSourceMapping")[0]?.inputs;
    expect(mapping).toMatchObject({
      batchSize: 10,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: 5 },
    });
  });

  it("gives every queue and every asynchronous invocation a dead-letter queue with an alarm", () => {
    const queues = sample.ofType("aws:sqs/queue:Queue");
    const targets = new Set<string>();
    for (const q of queues)
      if (q.inputs.redrivePolicy) targets.add(JSON.parse(q.inputs.redrivePolicy).deadLetterTargetArn);
    for (const s of sample.ofType("aws:scheduler/schedule:Schedule")) targets.add(s.inputs.target.deadLetterConfig.arn);
    const invokeConfigs = sample.ofType("aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig");
    for (const c of invokeConfigs) targets.add(c.inputs.destinationConfig.onFailure.destination);
    // Every queue either redrives to a DLQ or is one.
    const arnOf = (name: string) => expect.stringContaining(name);
    for (const q of queues) {
      if (!q.inputs.redrivePolicy) expect([...targets]).toContainEqual(arnOf(q.name));
    }
    // Scheduler invokes asynchronously: every scheduled function routes failed invocations to a DLQ.
    const scheduled = SAMPLE_FUNCTIONS.filter((fn) => fn.triggers.some((t) => t.kind === "schedule"));
    expect(invokeConfigs.map((c) => c.name).sort()).toEqual(
      scheduled.map((fn) => `rendezvous-${stage}-${fn.name}`).sort(),
    );
    const dlqAlarms = sample
      .ofType("aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => a.inputs.name.endsWith("dlq-not-empty"));
    expect(dlqAlarms.map((a) => a.inputs.threshold)).toEqual([0, 0, 0]);
  });

  it("schedules with EventBridge Scheduler, the stack's expressions winning over the manifest's", () => {
    const schedules: Record<string, Recorded["inputs"]> = Object.fromEntries(
      sample.ofType("aws:scheduler/schedule:Schedule").map((s) => [s.inputs.name, s.inputs]),
    );
    expect(schedules[`rendezvous-${stage}-scheduler`]?.scheduleExpression).toBe("rate(1 minute)");
    expect(schedules[`rendezvous-${stage}-matcher`]?.scheduleExpression).toBe("rate(3 hours)");
    for (const schedule of Object.values(schedules)) {
      expect(schedule.target.retryPolicy).toEqual({ maximumRetryAttempts: 3, maximumEventAgeInSeconds: 300 });
      expect(JSON.parse(schedule.target.input)).toMatchObject({ source: "rendezvous.schedule" });
    }
  });

  it("gives public URLs both invoke permissions and IAM URLs none", () => {
    const urls = sample.ofType("aws:lambda/functionUrl:FunctionUrl").map((u) => [u.name, u.inputs.authorizationType]);
    expect(Object.fromEntries(urls)).toEqual({
      [`rendezvous-${stage}-sessions`]: "NONE",
      [`rendezvous-${stage}-scheduling`]: "AWS_IAM",
      [`rendezvous-${stage}-matching`]: "NONE",
      [`rendezvous-${stage}-matcher`]: "AWS_IAM",
    });
    const permissions = sample.ofType("aws:lambda/permission:Permission").map((p) => p.inputs);
    expect(permissions).toHaveLength(4);
    for (const fn of ["sessions", "matching"]) {
      const mine = permissions.filter((p) => p.function === `rendezvous-${stage}-${fn}`);
      expect(mine).toEqual([
        expect.objectContaining({ action: "lambda:InvokeFunctionUrl", principal: "*", functionUrlAuthType: "NONE" }),
        expect.objectContaining({ action: "lambda:InvokeFunction", principal: "*", invokedViaFunctionUrl: true }),
      ]);
    }
  });

  it("runs the migrator on deploy, before any function that uses Postgres changes", () => {
    const [invocation] = sample.ofType("aws:lambda/invocation:Invocation");
    expect(invocation?.inputs.functionName).toBe(`rendezvous-${stage}-migrator`);
    expect(invocation?.inputs.triggers).toMatchObject({
      deploy: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      bundle: "hash-of-migrator",
      database: `rendezvous-${stage}.abc.${REGION}.rds.amazonaws.com`,
    });
    // The SDK registers a resource only once its dependencies are registered: registration order shows dependsOn.
    const order = (type: string, name: string) => sample.resources.findIndex((r) => r.type === type && r.name === name);
    const ran = order("aws:lambda/invocation:Invocation", `rendezvous-${stage}-migrator-on-deploy`);
    const dependents = SAMPLE_FUNCTIONS.filter((fn) => inVpc(fn) && fn.name !== "migrator");
    for (const fn of dependents) {
      expect(order("aws:lambda/function:Function", `rendezvous-${stage}-${fn.name}`), fn.name).toBeGreaterThan(ran);
    }
    // The migrator reaches the database as soon as it runs: its group's rules exist before it does.
    const migrator = order("aws:lambda/function:Function", `rendezvous-${stage}-migrator`);
    const rules = [
      ...sample.ofType("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"),
      ...sample.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"),
    ].filter((r) => r.name.includes("-fn-postgres-to-") || r.name.endsWith("-db-from-postgres"));
    expect(rules).toHaveLength(2);
    for (const rule of rules) expect(migrator, rule.name).toBeGreaterThan(order(rule.type, rule.name));
  });
});
