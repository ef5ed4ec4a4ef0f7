import type { FunctionSpec } from "../apps/manifest.ts";

/**
 * A manifest with every trigger kind and every need, shaped like the platform's own (API.md): the infra tests
 * check specific settings on it, whatever the real manifest holds at the time. Entries point at an existing file
 * because the tests never bundle these.
 */
const entry = "apps/manifest.ts";

export const SAMPLE_FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: "migrator",
    description: "migrations",
    entry,
    triggers: [{ kind: "deploy" }],
    needs: ["postgres:admin"],
    settings: [],
    timeoutSeconds: 300,
  },
  {
    name: "sessions",
    description: "sessions API",
    entry,
    triggers: [{ kind: "url", auth: "NONE" }],
    needs: ["sessionsTable:read", "sessionsTable:write"],
    settings: ["corsOrigins", "oidcProviders", "sessionPolicy"],
  },
  {
    name: "scheduling",
    description: "back-office API",
    entry,
    triggers: [{ kind: "url", auth: "AWS_IAM" }],
    needs: ["postgres:scheduling"],
    settings: ["sendTime", "latePolicy", "leapDayPolicy"],
  },
  {
    name: "scheduler",
    description: "claims due deliveries every minute",
    entry,
    triggers: [{ kind: "schedule", expression: "rate(1 minute)" }],
    needs: ["postgres:scheduling", "deliveriesQueue:send"],
    settings: ["sendTime"],
    timeoutSeconds: 50,
  },
  {
    name: "dispatcher",
    description: "posts webhooks",
    entry,
    triggers: [{ kind: "queue", queue: "deliveries", batchSize: 10, maximumConcurrency: 5 }],
    needs: ["postgres:scheduling", "deliveriesQueue:consume", "webhookSecret:read", "webhookUrl:read"],
    settings: [],
    timeoutSeconds: 30,
  },
  {
    name: "matching",
    description: "matching API",
    entry,
    triggers: [{ kind: "url", auth: "NONE" }],
    needs: ["postgres:matching", "sessionsTable:read"],
    settings: ["corsOrigins", "matchingPolicy"],
  },
  {
    name: "matcher",
    description: "runs a matching batch",
    entry,
    triggers: [
      { kind: "url", auth: "AWS_IAM" },
      { kind: "schedule", expression: "rate(6 hours)" },
    ],
    needs: ["postgres:matching"],
    settings: ["matchingPolicy"],
    timeoutSeconds: 300,
    reservedConcurrency: 1,
  },
];

/**
 * The needs of the platform's functions as the team contract (issue 14's topology) gives them, for the tests of
 * VPC placement that must hold once the manifest carries them: `postgres:<role>` puts a function in the VPC;
 * the scheduler and the dispatcher reach Postgres through the delivery-store function instead.
 */
export const CONTRACT_NEEDS: Readonly<Record<string, readonly string[]>> = {
  migrator: ["postgres:admin"],
  scheduling: ["postgres:scheduling"],
  "delivery-store": ["postgres:scheduling"],
  matching: ["postgres:matching", "sessionsTable:validate"],
  matcher: ["postgres:matching"],
  sessions: ["sessionsTable:read", "sessionsTable:write"],
  scheduler: ["deliveryStore:invoke", "deliveriesQueue:send", "deliveriesDeadLetters:send"],
  dispatcher: ["deliveryStore:invoke", "deliveriesQueue:consume", "webhookSecret:read", "webhookUrl:read"],
};
