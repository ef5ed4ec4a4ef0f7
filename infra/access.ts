/**
 * What each manifest need turns into: the IAM statements (exact actions on exact resources) and the environment
 * variables (names, ARNs and URLs only) of a function. One table, so the tests can hold every role to it.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type FunctionSpec, type Need, SETTINGS, type Setting } from "../apps/manifest.ts";
import type { Grant } from "./components/LambdaFunction.ts";
import type { StackConfig } from "./config.ts";

/** The shared resources a need can point at. */
export interface SharedResources {
  readonly database: {
    readonly address: pulumi.Input<string>;
    readonly port: pulumi.Input<string>;
    readonly name: string;
    readonly secretArn: pulumi.Input<string>;
  };
  readonly sessionsTable: {
    readonly name: pulumi.Input<string>;
    readonly arn: pulumi.Input<string>;
    readonly indexArn: pulumi.Input<string>;
  };
  readonly deliveriesQueue: { readonly url: pulumi.Input<string>; readonly arn: pulumi.Input<string> };
  readonly webhookSecretArn: pulumi.Input<string>;
}

/** The exact actions each need grants (before resources are known): the tests compare roles against this. */
export const NEED_ACTIONS: Record<Need, readonly string[]> = {
  postgres: ["secretsmanager:GetSecretValue"],
  // What adapters/dynamodb/sessions.ts calls: GetItem and Query (the by_user index) to read, PutItem (create) and
  // UpdateItem (touch, revoke, evict) to write. Nothing deletes (TTL does) and nothing batches or scans.
  "sessionsTable:read": ["dynamodb:GetItem", "dynamodb:Query"],
  "sessionsTable:write": ["dynamodb:PutItem", "dynamodb:UpdateItem"],
  "deliveriesQueue:send": ["sqs:SendMessage"],
  "deliveriesQueue:consume": [
    "sqs:ReceiveMessage",
    "sqs:DeleteMessage",
    "sqs:ChangeMessageVisibility",
    "sqs:GetQueueAttributes",
  ],
  "webhookSecret:read": ["secretsmanager:GetSecretValue"],
};

const resourcesOf = (need: Need, shared: SharedResources): pulumi.Input<string>[] => {
  switch (need) {
    case "postgres":
      return [shared.database.secretArn];
    case "sessionsTable:read":
      return [shared.sessionsTable.arn, shared.sessionsTable.indexArn];
    case "sessionsTable:write":
      return [shared.sessionsTable.arn];
    case "deliveriesQueue:send":
    case "deliveriesQueue:consume":
      return [shared.deliveriesQueue.arn];
    case "webhookSecret:read":
      return [shared.webhookSecretArn];
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
  if (fn.needs.includes("sessionsTable:read")) settings.add("sessionPolicy");
  return [...settings];
};

export const grantsFor = (fn: FunctionSpec, shared: SharedResources): Grant[] =>
  effectiveNeeds(fn).map((need) => ({ actions: NEED_ACTIONS[need], resources: resourcesOf(need, shared) }));

const envOf = (need: Need, shared: SharedResources): Record<string, pulumi.Input<string>> => {
  switch (need) {
    case "postgres":
      return {
        DATABASE_HOST: shared.database.address,
        DATABASE_PORT: shared.database.port,
        DATABASE_NAME: shared.database.name,
        DATABASE_SECRET_ARN: shared.database.secretArn,
      };
    case "sessionsTable:read":
    case "sessionsTable:write":
      return { SESSIONS_TABLE_NAME: shared.sessionsTable.name };
    case "deliveriesQueue:send":
    case "deliveriesQueue:consume":
      return { DELIVERIES_QUEUE_URL: shared.deliveriesQueue.url };
    case "webhookSecret:read":
      return { WEBHOOK_SECRET_ARN: shared.webhookSecretArn };
  }
};

/** The function's environment: one variable set per need (NEED_ENV), and each configured setting it reads. */
export const environmentFor = (
  fn: FunctionSpec,
  shared: SharedResources,
  settings: StackConfig["settings"],
): Record<string, pulumi.Input<string>> => {
  const env: Record<string, pulumi.Input<string>> = {};
  for (const need of effectiveNeeds(fn)) Object.assign(env, envOf(need, shared));
  for (const setting of effectiveSettings(fn)) {
    const value = settings[setting];
    if (value !== undefined) env[SETTINGS[setting]] = value;
  }
  return env;
};

/**
 * Whether a function calls the internet: it signs and sends webhooks, posts to the webhook URL or fetches OIDC
 * keys. Inside the VPC such a function needs the NAT gateway (docs/decisions/0001-dispatcher-networking.md).
 */
export const callsInternet = (fn: FunctionSpec): boolean =>
  fn.needs.includes("webhookSecret:read") ||
  fn.settings.includes("webhookUrl") ||
  fn.settings.includes("oidcProviders");
