import { beforeAll, describe, expect, it } from "vitest";
import { functions } from "../apps/manifest.ts";
import { OBSERVABILITY_ENV } from "../apps/telemetry.ts";
import { lambdaOf, rolePolicyOf } from "./policies.ts";
import { ACCOUNT, REGION, type StackRun, sharedRun, stackConfig } from "./testing.ts";

/**
 * The platform's functions as the manifest holds them, each held to what it is written down to do: literal
 * grants on literal resources, environment, trigger, URL auth. A function not in the manifest yet is skipped.
 */
type Resource =
  | "schedulingUser"
  | "matchingUser"
  | "table"
  | "index"
  | "deliveries"
  | "deadLetters"
  | "deliveryStore"
  | "webhookSecret"
  | "webhookUrl"
  | "asyncDlq";
interface Expected {
  /** Every grant beyond logs, tracing and the VPC's ENIs: action -> resources. */
  readonly grants: Readonly<Record<string, readonly Resource[]>>;
  /** Environment variable names (staging's config: corsOrigins, oidcProviders, webhookUrl, sendTime are set). */
  readonly env: readonly string[];
  readonly url?: "NONE" | "AWS_IAM";
  readonly schedule?: string;
  readonly reservedConcurrency?: number;
}

const DATABASE = ["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME", "NODE_EXTRA_CA_CERTS"];
const AS_SCHEDULING = { "rds-db:connect": ["schedulingUser"] } as const;
const AS_MATCHING = { "rds-db:connect": ["matchingUser"] } as const;
const SESSIONS_TABLE = {
  "dynamodb:GetItem": ["table"],
  "dynamodb:Query": ["index"],
  "dynamodb:PutItem": ["table"],
  "dynamodb:UpdateItem": ["table"],
} as const;
/** Matching checks a Bearer session and slides its idle expiry: nothing more. */
const VALIDATES_SESSIONS = { "dynamodb:GetItem": ["table"], "dynamodb:UpdateItem": ["table"] } as const;

const EXPECTED: Record<string, Expected> = {
  // The master password arrives in the deploy-time payload: no run-time grant.
  migrator: { grants: {}, env: DATABASE },
  sessions: {
    grants: SESSIONS_TABLE,
    env: ["SESSIONS_TABLE_NAME", "OIDC_PROVIDERS", "CORS_ORIGINS"],
    url: "NONE",
  },
  scheduling: { grants: AS_SCHEDULING, env: [...DATABASE, "SEND_TIME", "CORS_ORIGINS"], url: "AWS_IAM" },
  // Outside the VPC: Postgres only through the delivery store's live alias (docs/decisions/0005).
  scheduler: {
    grants: {
      "lambda:InvokeFunction": ["deliveryStore"],
      "sqs:SendMessage": ["deliveries", "deadLetters", "asyncDlq"],
    },
    env: ["DELIVERY_STORE_FUNCTION", "DELIVERIES_QUEUE_URL", "DELIVERIES_DLQ_URL"],
    schedule: "rate(1 minute)",
  },
  "delivery-store": { grants: AS_SCHEDULING, env: [...DATABASE, "SEND_TIME"] },
  dispatcher: {
    grants: {
      "lambda:InvokeFunction": ["deliveryStore"],
      "secretsmanager:GetSecretValue": ["webhookSecret"],
      "ssm:GetParameter": ["webhookUrl"],
      "sqs:ReceiveMessage": ["deliveries"],
      "sqs:DeleteMessage": ["deliveries"],
      "sqs:ChangeMessageVisibility": ["deliveries"],
      "sqs:GetQueueAttributes": ["deliveries"],
    },
    env: ["DELIVERY_STORE_FUNCTION", "DELIVERIES_QUEUE_URL", "WEBHOOK_SECRET_ARN", "WEBHOOK_URL_PARAMETER"],
  },
  matching: {
    grants: { ...AS_MATCHING, ...VALIDATES_SESSIONS },
    env: [...DATABASE, "SESSIONS_TABLE_NAME", "CORS_ORIGINS"],
    url: "NONE",
  },
  matcher: {
    grants: { ...AS_MATCHING, "sqs:SendMessage": ["asyncDlq"] },
    env: DATABASE,
    url: "AWS_IAM",
    schedule: "rate(3 hours)",
    reservedConcurrency: 1,
  },
};

const present = (name: string) => functions.some((fn) => fn.name === name);
const cases = Object.keys(EXPECTED)
  .filter(present)
  .map((name) => [name] as const);

describe("the platform's functions in the staging stack", () => {
  let run: StackRun;
  let arns: Record<Resource, string>;
  beforeAll(async () => {
    run = await sharedRun("staging", functions);
    const table = run.one("aws:dynamodb/table:Table", "rendezvous-staging-sessions").state.arn;
    const resourceId = run.one("aws:rds/instance:Instance", "rendezvous-staging").state.resourceId;
    const dbUser = `arn:aws:rds-db:${REGION}:${ACCOUNT}:dbuser:${resourceId}`;
    arns = {
      schedulingUser: `${dbUser}/rendezvous_scheduling`,
      matchingUser: `${dbUser}/rendezvous_matching`,
      table,
      index: `${table}/index/by_user`,
      deliveries: run.one("aws:sqs/queue:Queue", "rendezvous-staging-deliveries").state.arn,
      deadLetters: run.one("aws:sqs/queue:Queue", "rendezvous-staging-deliveries-dlq").state.arn,
      deliveryStore: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:rendezvous-staging-delivery-store:live`,
      webhookUrl: run.one("aws:ssm/parameter:Parameter", "rendezvous-staging-webhook-url").state.arn,
      webhookSecret: run.one("aws:secretsmanager/secret:Secret", "rendezvous-staging-webhook").state.arn,
      asyncDlq: run.one("aws:sqs/queue:Queue", "rendezvous-staging-async-dlq").state.arn,
    };
  });

  it("deploys every function of the manifest, and every one is known here", () => {
    expect(Object.keys(run.outputs.functionNames).sort()).toEqual(functions.map((fn) => fn.name).sort());
    expect(functions.filter((fn) => !(fn.name in EXPECTED)).map((fn) => fn.name)).toEqual([]);
  });

  it.each(cases)("%s: exactly its grants, on exactly its resources", (name) => {
    const granted = rolePolicyOf(run, "staging", name)
      .filter((s) => !s.Action.some((a) => /^(logs|xray|ec2):/.test(a)))
      .flatMap((s) => s.Action.flatMap((action) => s.Resource.map((resource) => `${action} ${resource}`)));
    const expected = Object.entries(EXPECTED[name]?.grants ?? {}).flatMap(([action, resources]) =>
      resources.map((r) => `${action} ${arns[r]}`),
    );
    expect(granted.sort()).toEqual(expected.sort());
  });

  it.each(cases)("%s: its environment, trigger, URL auth and concurrency", (name) => {
    const expected = EXPECTED[name] as Expected;
    const lambda = lambdaOf(run, "staging", name).inputs;
    // Every function also gets the stage and the log level (observability.suite.ts checks their values).
    const env = [...expected.env, ...Object.values(OBSERVABILITY_ENV)];
    expect(Object.keys(lambda.environment?.variables ?? {}).sort()).toEqual(env.sort());
    // The stack file's reservation (docs/decisions/0007) wins over the manifest's.
    const reserved: Record<string, number> = JSON.parse(
      stackConfig("staging")["rendezvous:reservedConcurrency"] ?? "{}",
    );
    expect(lambda.reservedConcurrentExecutions).toBe(reserved[name] ?? expected.reservedConcurrency);
    const url = run.ofType("aws:lambda/functionUrl:FunctionUrl").find((u) => u.name === `rendezvous-staging-${name}`);
    expect(url?.inputs.authorizationType).toBe(expected.url);
    const schedule = run.ofType("aws:scheduler/schedule:Schedule").find((s) => s.name.endsWith(`-${name}`));
    expect(schedule?.inputs.scheduleExpression).toBe(expected.schedule);
  });

  it.skipIf(!present("dispatcher"))("dispatcher: consumes the deliveries queue in batches of 10", () => {
    const spec = functions.find((fn) => fn.name === "dispatcher");
    const trigger = spec?.triggers.find((t) => t.kind === "queue");
    const [mapping, ...others] = run.ofType("aws:lambda/eventSourceMapping:EventSourceMapping");
    expect(others).toEqual([]);
    expect(mapping?.inputs).toMatchObject({
      eventSourceArn: arns.deliveries,
      functionName: run.one("aws:lambda/alias:Alias", "rendezvous-staging-dispatcher").state.arn,
      batchSize: 10,
      functionResponseTypes: ["ReportBatchItemFailures"],
      scalingConfig: { maximumConcurrency: trigger?.kind === "queue" ? trigger.maximumConcurrency : -1 },
    });
    const queue = run.one("aws:sqs/queue:Queue", "rendezvous-staging-deliveries").inputs;
    expect(queue.visibilityTimeoutSeconds).toBeGreaterThanOrEqual(6 * (spec?.timeoutSeconds ?? 10));
  });
});
