import { beforeAll, describe, expect, it } from "vitest";
import type { FunctionSpec } from "../apps/manifest.ts";
import { lambdaOf, rolePolicyOf } from "./policies.ts";
import { firesEveryFewMinutes } from "./stack.ts";
import { runStack, type StackRun, stackConfig } from "./testing.ts";

const spec = (name: string, change: Partial<FunctionSpec>): FunctionSpec => ({
  name,
  description: name,
  entry: "apps/manifest.ts",
  triggers: [{ kind: "url", auth: "AWS_IAM" }],
  needs: [],
  settings: [],
  ...change,
});

const grantsBeyondLogsAndTracing = (statements: ReturnType<typeof rolePolicyOf>) =>
  statements.filter((s) => !s.Action.some((a) => a.startsWith("logs:") || a.startsWith("xray:")));

const SESSION_POLICY = JSON.stringify({ idleTimeoutSeconds: 3600 });
/** What every function gets whatever its needs: the stage and the stack file's log level. */
const OBSERVED = { RENDEZVOUS_STAGE: "staging", LOG_LEVEL: stackConfig("staging")["rendezvous:logLevel"] };

/** One function per need or trigger under test, deployed together once (a run takes a second or two). */
const FUNCTIONS = [
  spec("reader", { needs: ["sessionsTable:read"] }),
  spec("writer", { needs: ["sessionsTable:write"] }),
  spec("validator", { needs: ["sessionsTable:validate"] }),
  spec("sql", { needs: ["postgres:matching"] }),
  spec("admin", { needs: ["postgres:admin"] }),
  spec("delivery-store", { needs: ["postgres:scheduling"], triggers: [{ kind: "invoke" }] }),
  spec("store-client", { needs: ["deliveryStore:invoke", "deliveriesDeadLetters:send", "webhookUrl:read"] }),
  spec("consumer", { triggers: [{ kind: "queue", queue: "deliveries", batchSize: 10, maximumConcurrency: 2 }] }),
  spec("sender", { needs: ["deliveriesQueue:send"] }),
  spec("configured", { settings: ["corsOrigins", "sendTime", "latePolicy"] }),
  spec("ticker", { triggers: [{ kind: "schedule", expression: "rate(5 minutes)" }] }),
  spec("idle", {}),
];

describe("a function's role and environment follow its needs exactly", () => {
  let run: StackRun;
  beforeAll(async () => {
    run = await runStack("staging", FUNCTIONS, {
      ...stackConfig("staging"),
      "rendezvous:sessionPolicy": SESSION_POLICY,
      // In the VPC, so bounded for the connection budget (infra/connection-budget.ts).
      "rendezvous:reservedConcurrency": JSON.stringify({ sql: 2, admin: 1, "delivery-store": 2 }),
    });
  });

  it("sessionsTable:read gets GetItem on the table and Query on its index, write PutItem/UpdateItem, validate GetItem/UpdateItem on the table", () => {
    const table = run.one("aws:dynamodb/table:Table", "rendezvous-staging-sessions").state;
    expect(grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "reader"))).toEqual([
      { Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [table.arn] },
      { Effect: "Allow", Action: ["dynamodb:Query"], Resource: [`${table.arn}/index/by_user`] },
    ]);
    expect(grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "validator"))).toEqual([
      { Effect: "Allow", Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: [table.arn] },
    ]);
    // A validator judges sessions too: it gets the stack's session policy.
    expect(lambdaOf(run, "staging", "validator").inputs.environment.variables).toEqual({
      ...OBSERVED,
      SESSIONS_TABLE_NAME: table.name,
      SESSION_POLICY,
    });
    expect(grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "writer"))).toEqual([
      { Effect: "Allow", Action: ["dynamodb:PutItem", "dynamodb:UpdateItem"], Resource: [table.arn] },
    ]);
    // A reader validates sessions: it gets the stack's session policy, so all judge a session's timeouts alike.
    expect(lambdaOf(run, "staging", "reader").inputs.environment.variables).toEqual({
      ...OBSERVED,
      SESSIONS_TABLE_NAME: table.name,
      SESSION_POLICY,
    });
    expect(lambdaOf(run, "staging", "writer").inputs.environment.variables).toEqual({
      ...OBSERVED,
      SESSIONS_TABLE_NAME: table.name,
    });
    for (const fn of ["reader", "writer"]) expect(lambdaOf(run, "staging", fn).inputs.vpcConfig).toBeUndefined();
  });

  it("postgres:<capability> gets rds-db:connect as its role only, the VPC and its ENI actions, host/port/name", () => {
    const statements = grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "sql"));
    const dbUser = "arn:aws:rds-db:eu-west-1:123456789012:dbuser:db-ABCDEFGHIJKLMNOPQRSTUVWXY0";
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["rds-db:connect"],
      Resource: [`${dbUser}/rendezvous_matching`],
    });
    expect(grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "delivery-store"))).toContainEqual({
      Effect: "Allow",
      Action: ["rds-db:connect"],
      Resource: [`${dbUser}/rendezvous_scheduling`],
    });
    expect(statements.flatMap((s) => s.Action)).not.toContain("secretsmanager:GetSecretValue");
    const eni = "arn:aws:ec2:eu-west-1:123456789012:network-interface/*";
    expect(statements).toContainEqual({
      Effect: "Allow",
      Action: ["ec2:DeleteNetworkInterface", "ec2:AssignPrivateIpAddresses", "ec2:UnassignPrivateIpAddresses"],
      Resource: [eni],
    });
    expect(statements.find((s) => s.Action.includes("ec2:CreateNetworkInterface"))?.Resource).toHaveLength(4);
    const lambda = lambdaOf(run, "staging", "sql").inputs;
    expect(lambda.environment.variables).toEqual({
      ...OBSERVED,
      DATABASE_HOST: "rendezvous-staging.abc.eu-west-1.rds.amazonaws.com",
      DATABASE_PORT: "5432",
      DATABASE_NAME: "rendezvous",
      // Lambda's Node 20+ runtimes trust the Amazon CAs (RDS's) only from this bundle.
      NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem",
    });
    expect(lambda.vpcConfig.securityGroupIds).toEqual(["rendezvous-staging-fn-postgres-id"]);
  });

  it("postgres:admin grants nothing at run time: the master password comes in the deploy-time payload", () => {
    const statements = grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "admin"));
    expect(statements.filter((s) => !s.Action.some((a) => a.startsWith("ec2:")))).toEqual([]);
    expect(Object.keys(lambdaOf(run, "staging", "admin").inputs.environment.variables).sort()).toEqual([
      "DATABASE_HOST",
      "DATABASE_NAME",
      "DATABASE_PORT",
      "LOG_LEVEL",
      "NODE_EXTRA_CA_CERTS",
      "RENDEZVOUS_STAGE",
    ]);
  });

  it("deliveryStore:invoke, deliveriesDeadLetters:send and webhookUrl:read: one action on one resource each", () => {
    const alias = run.one("aws:lambda/alias:Alias", "rendezvous-staging-delivery-store").state.arn;
    expect(alias).toBe("arn:aws:lambda:eu-west-1:123456789012:function:rendezvous-staging-delivery-store:live");
    const dlq = run.one("aws:sqs/queue:Queue", "rendezvous-staging-deliveries-dlq").state;
    const parameter = run.one("aws:ssm/parameter:Parameter", "rendezvous-staging-webhook-url").state;
    expect(parameter).toMatchObject({
      name: "/rendezvous/staging/webhook-url",
      type: "String",
      insecureValue: stackConfig("staging")["rendezvous:webhookUrl"],
    });
    expect(grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "store-client"))).toEqual([
      { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [alias] },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [dlq.arn] },
      { Effect: "Allow", Action: ["ssm:GetParameter"], Resource: [parameter.arn] },
    ]);
    expect(lambdaOf(run, "staging", "store-client").inputs.environment.variables).toEqual({
      ...OBSERVED,
      DELIVERY_STORE_FUNCTION: alias,
      DELIVERIES_DLQ_URL: dlq.url,
      WEBHOOK_URL_PARAMETER: "/rendezvous/staging/webhook-url",
    });
    expect(lambdaOf(run, "staging", "store-client").inputs.vpcConfig).toBeUndefined();
  });

  it("refuses deliveryStore:invoke without a delivery-store function, and webhookUrl:read without the URL", async () => {
    await expect(runStack("staging", [spec("caller", { needs: ["deliveryStore:invoke"] })])).rejects.toThrow(
      /caller: needs deliveryStore:invoke, but the stack has no delivery-store function/,
    );
    const config = Object.fromEntries(
      Object.entries(stackConfig("staging")).filter(([key]) => key !== "rendezvous:webhookUrl"),
    );
    await expect(runStack("staging", [spec("poster", { needs: ["webhookUrl:read"] })], config)).rejects.toThrow(
      /rendezvous:webhookUrl: required, poster reads it/,
    );
  });

  it("a queue trigger implies the consume actions, and a send need only SendMessage", () => {
    const arn = run.one("aws:sqs/queue:Queue", "rendezvous-staging-deliveries").state.arn;
    expect(grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "sender"))).toEqual([
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [arn] },
    ]);
    expect(grantsBeyondLogsAndTracing(rolePolicyOf(run, "staging", "consumer"))).toEqual([
      {
        Effect: "Allow",
        Action: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility", "sqs:GetQueueAttributes"],
        Resource: [arn],
      },
    ]);
  });

  it("passes only configured settings, under their manifest variable names", () => {
    expect(lambdaOf(run, "staging", "configured").inputs.environment.variables).toEqual({
      ...OBSERVED,
      CORS_ORIGINS: JSON.stringify(["https://staging.example.com", "http://localhost:5173"]),
      SEND_TIME: "09:00",
    });
  });

  it("the scheduler's role invokes exactly the scheduled functions and writes exactly its DLQ", () => {
    const policy = JSON.parse(run.one("aws:iam/rolePolicy:RolePolicy", "rendezvous-staging-schedules").inputs.policy);
    expect(policy.Statement).toEqual([
      {
        Effect: "Allow",
        Action: ["lambda:InvokeFunction"],
        // The live alias, which a rollback moves.
        Resource: ["arn:aws:lambda:eu-west-1:123456789012:function:rendezvous-staging-ticker:live"],
      },
      { Effect: "Allow", Action: ["sqs:SendMessage"], Resource: [expect.stringContaining("schedules-dlq")] },
    ]);
  });

  it("refuses a manifest with problems, naming the function", async () => {
    await expect(runStack("staging", [spec("Bad_Name", {})])).rejects.toThrow(/Bad_Name: name must be kebab-case/);
  });

  it.each([
    ["rate(1 minute)", true],
    ["rate(4 minutes)", true],
    ["rate(5 minutes)", false],
    ["rate(3 hours)", false],
    ["cron(0 9 * * ? *)", false],
  ])("judges %s frequent enough for the 3-errors alarm: %s", (expression, frequent) => {
    expect(firesEveryFewMinutes(expression)).toBe(frequent);
  });
});
