/**
 * What each manifest need turns into: the IAM statements (exact actions on exact resources) and the environment
 * variables (names, ARNs and URLs only) of a function. One table, so the tests can hold every role to it.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  DELIVERY_STORE_FUNCTION,
  databaseRoleOf,
  type FunctionSpec,
  inVpc,
  type Need,
  SETTINGS,
  type Setting,
} from "../apps/manifest.ts";
import { OBSERVABILITY_ENV } from "../apps/telemetry.ts";
import type { Grant } from "./components/LambdaFunction.ts";
import type { StackConfig } from "./config.ts";

/** The shared resources a need can point at. */
export interface SharedResources {
  readonly database: {
    readonly address: pulumi.Input<string>;
    readonly port: pulumi.Input<string>;
    readonly name: string;
    /** `arn:<partition>:rds-db:<region>:<account>:dbuser:<dbi-resource-id>`: IAM authentication's resource. */
    readonly dbUserArnPrefix: pulumi.Input<string>;
  };
  readonly sessionsTable: {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    readonly indexArn: pulumi.Input<string>;
  };
  readonly deliveriesQueue: { readonly url: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  readonly deliveriesDeadLetters: { readonly url: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  readonly webhookSecretArn: pulumi.Input<string>;
  /** The SSM parameter holding the webhook URL; absent when no function reads it. */
  readonly webhookUrlParameter?: { readonly name: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  /** The `live` alias of the delivery-store function, once that function exists in the stack. */
  readonly deliveryStore?: { readonly aliasArn: pulumi.Input<string> };
}

/**
 * Lambda's Node 20+ runtimes no longer trust the Amazon CAs by default; this bundle holds them (RDS's included),
 * so postgres.js can verify the database's certificate.
 */
export const RDS_CA_ENV = { NODE_EXTRA_CA_CERTS: "/var/runtime/ca-cert.pem" } as const;

/** The exact actions each need grants (before resources are known): the tests compare roles against this. */
export const NEED_ACTIONS: Record<Need, readonly string[]> = {
  // The master password arrives in the migrator's deploy-time invocation payload: nothing to grant at run time.
  "postgres:admin": [],
  "postgres:scheduling": ["rds-db:connect"],
  "postgres:matching": ["rds-db:connect"],
  // What adapters/dynamodb/sessions.ts calls: GetItem (on the table) and Query (on the by_user index) to read,
  // PutItem (create) and UpdateItem (touch, revoke, evict) to write; a Bearer check elsewhere (validate) reads one
  // session and slides its idle expiry. Nothing deletes (TTL does) and nothing batches or scans.
  "sessionsTable:read": ["dynamodb:GetItem", "dynamodb:Query"],
  "sessionsTable:write": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
  "sessionsTable:validate": ["dynamodb:GetItem", "dynamodb:UpdateItem"],
  "deliveriesQueue:send": ["sqs:SendMessage"],
  "deliveriesQueue:consume": [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
  ],
  "deliveriesDeadLetters:send": ["sqs:SendMessage"],
  "deliveryStore:invoke": ["lambda:InvokeFunction"],
  "webhookSecret:read": ["secretsmanager:GetSecretValue"],
  "webhookUrl:read": ["ssm:GetParameter"],
};

/** A part of the stack a need points at is missing: a mistake in the manifest or the stack, named. */
const missing = (fn: FunctionSpec, need: Need, what: string): never => {
  throw new Error(`${fn.name}: needs ${need}, but the stack has no ${what}`);
};

/** The resources of a need's one statement (reading the sessions table is two: see grantsFor). */
const resourcesOf = (
  fn: FunctionSpec,
  need: Exclude<Need, "sessionsTable:read">,
  shared: SharedResources,
): pulumi.Input<string>[] => {
  switch (need) {
    case "postgres:admin":
      return [];
    case "postgres:scheduling":
    case "postgres:matching":
      return [pulumi.interpolate`${shared.database.dbUserArnPrefix}/${databaseRoleOf({ needs: [need] })}`];
    case "sessionsTable:write":
    case "sessionsTable:validate":
      return [shared.sessionsTable.arn];
    case "deliveriesQueue:send":
    case "deliveriesQueue:consume":
      return [shared.deliveriesQueue.arn];
    case "deliveriesDeadLetters:send":
      return [shared.deliveriesDeadLetters.arn];
    case "deliveryStore:invoke":
      return [(shared.deliveryStore ?? missing(fn, need, `${DELIVERY_STORE_FUNCTION} function`)).aliasArn];
    case "webhookSecret:read":
      return [shared.webhookSecretArn];
    case "webhookUrl:read":
      return [(shared.webhookUrlParameter ?? missing(fn, need, "webhook URL parameter")).arn];
  }
};

/**
 * The needs a function actually has: its declared needs, plus what its triggers imply (a queue trigger's event
 * source mapping polls with the function's role, so it needs the consume actions).
 */
export const effectiveNeeds = (fn: FunctionSpec): Need[] => {
  const needs = new Set<Need>(fn.needs);
  if (fn.triggers.some((t) => t.kind === "queue")) needs.add("deliveriesQueue:consume");
  return [...needs];
};

/**
 * The settings a function actually reads: its declared settings, plus the session policy wherever the sessions
 * table is read, because validating a session applies the policy's idle and absolute timeouts. A function that
 * forgot it would judge sessions by the defaults while the sessions function used the stack's policy.
 */
export const effectiveSettings = (fn: FunctionSpec): Setting[] => {
  const settings = new Set<Setting>(fn.settings);
  if (fn.needs.some((need) => need === "sessionsTable:read" || need === "sessionsTable:validate")) {
    settings.add("sessionPolicy");
  }
  return [...settings];
};

/**
 * One statement per need that grants anything (`postgres:admin` grants nothing at run time); reading the sessions
 * table is two, since GetItem works on the table only and the user's sessions are queried on the index only.
 */
export const grantsFor = (fn: FunctionSpec, shared: SharedResources): Grant[] =>
  effectiveNeeds(fn)
    .filter((need) => NEED_ACTIONS[need].length > 0)
    .flatMap((need) =>
      need === "sessionsTable:read"
        ? [
            { actions: ["dynamodb:GetItem"], resources: [shared.sessionsTable.arn] },
            { actions: ["dynamodb:Query"], resources: [shared.sessionsTable.indexArn] },
          ]
        : [{ actions: NEED_ACTIONS[need], resources: resourcesOf(fn, need, shared) }],
    );

const envOf = (fn: FunctionSpec, need: Need, shared: SharedResources): Record<string, pulumi.Input<string>> => {
  switch (need) {
    case "postgres:admin":
    case "postgres:scheduling":
    case "postgres:matching":
      return {
        DATABASE_HOST: shared.database.address,
        DATABASE_PORT: shared.database.port,
        DATABASE_NAME: shared.database.name,
      };
    case "sessionsTable:read":
    case "sessionsTable:write":
    case "sessionsTable:validate":
      return { SESSIONS_TABLE_NAME: shared.sessionsTable.name };
    case "deliveriesQueue:send":
    case "deliveriesQueue:consume":
      return { DELIVERIES_QUEUE_URL: shared.deliveriesQueue.url };
    case "deliveriesDeadLetters:send":
      return { DELIVERIES_DLQ_URL: shared.deliveriesDeadLetters.url };
    case "deliveryStore:invoke":
      // Invoke accepts the alias ARN as FunctionName, and IAM then matches it exactly.
      return {
        DELIVERY_STORE_FUNCTION: (shared.deliveryStore ?? missing(fn, need, `${DELIVERY_STORE_FUNCTION} function`))
          .aliasArn,
      };
    case "webhookSecret:read":
      return { WEBHOOK_SECRET_ARN: shared.webhookSecretArn };
    case "webhookUrl:read":
      return { WEBHOOK_URL_PARAMETER: (shared.webhookUrlParameter ?? missing(fn, need, "webhook URL parameter")).name };
  }
};

/**
 * The function's environment: the stack's stage and log level (every function: the `Stack` dimension of its
 * metrics and its logger's level), one variable set per need (NEED_ENV), each configured setting it reads, and
 * the CA bundle wherever Postgres is reached over TLS.
 */
export const environmentFor = (
  fn: FunctionSpec,
  shared: SharedResources,
  config: Pick<StackConfig, "stage" | "logLevel" | "settings">,
): Record<string, pulumi.Input<string>> => {
  const env: Record<string, pulumi.Input<string>> = {
    [OBSERVABILITY_ENV.stage]: config.stage,
    [OBSERVABILITY_ENV.logLevel]: config.logLevel,
  };
  for (const need of effectiveNeeds(fn)) Object.assign(env, envOf(fn, need, shared));
  for (const setting of effectiveSettings(fn)) {
    const value = config.settings[setting];
    if (value !== undefined) env[SETTINGS[setting]] = value;
  }
  if (inVpc(fn)) Object.assign(env, RDS_CA_ENV);
  return env;
};
