/**
 * The one list of functions. Each entry names its handler, its triggers and what it needs; the Pulumi program
 * (infra/) turns it into a Lambda with exactly those permissions, and the local runtime (apps/local/) into a
 * localhost URL, a timer or a queue poller. Adding a function is one entry here plus its handler.
 *
 * Each capability keeps its entries in `apps/<capability>/functions.ts` (type-only imports of this file), so the
 * manifest stays free of runtime code: infra/ imports this file and nothing else of the project.
 */
import { matchingFunctions } from "./matching/functions.ts";
import { platformFunctions } from "./migrator/functions.ts";
import { schedulingFunctions } from "./scheduling/functions.ts";
import { sessionsFunctions } from "./sessions/functions.ts";

/** What a function may touch, by capability and action. Each maps to IAM statements and environment variables. */
export const NEEDS = [
  "postgres:admin",
  "postgres:scheduling",
  "postgres:matching",
  "sessionsTable:read",
  "sessionsTable:write",
  "sessionsTable:validate",
  "deliveriesQueue:send",
  "deliveriesQueue:consume",
  "deliveriesDeadLetters:send",
  "deliveryStore:invoke",
  "webhookSecret:read",
  "webhookUrl:read",
] as const;
export type Need = (typeof NEEDS)[number];

const DATABASE_ENV = ["DATABASE_HOST", "DATABASE_PORT", "DATABASE_NAME"] as const;

/**
 * Environment variables each need brings (names, ARNs and URLs only; never a secret value). `postgres:*`: where
 * the database is; the credential is the need's own (an IAM auth token for the role, or, for `postgres:admin`,
 * the master password in the migrator's invocation payload). Locally `DATABASE_URL` says where instead.
 */
export const NEED_ENV: Record<Need, readonly string[]> = {
  "postgres:admin": DATABASE_ENV,
  "postgres:scheduling": DATABASE_ENV,
  "postgres:matching": DATABASE_ENV,
  "sessionsTable:read": ["SESSIONS_TABLE_NAME"],
  "sessionsTable:write": ["SESSIONS_TABLE_NAME"],
  "sessionsTable:validate": ["SESSIONS_TABLE_NAME"],
  "deliveriesQueue:send": ["DELIVERIES_QUEUE_URL"],
  "deliveriesQueue:consume": ["DELIVERIES_QUEUE_URL"],
  "deliveriesDeadLetters:send": ["DELIVERIES_DLQ_URL"],
  "deliveryStore:invoke": ["DELIVERY_STORE_FUNCTION"],
  "webhookSecret:read": ["WEBHOOK_SECRET_ARN"],
  "webhookUrl:read": ["WEBHOOK_URL_PARAMETER"],
};

/** The internal function that serves the DeliveryStore port over Postgres (need `deliveryStore:invoke`). */
export const DELIVERY_STORE_FUNCTION = "delivery-store";

/**
 * A function runs in the VPC exactly when it reaches Postgres: every other AWS API and the internet are reached
 * from outside it, so the stack needs no NAT gateway and no interface endpoint (docs/decisions/0005).
 */
export const inVpc = (fn: Pick<FunctionSpec, "needs">): boolean =>
  fn.needs.some((need) => need.startsWith("postgres:"));

/**
 * The database user a function connects as: `rendezvous_<capability>` for `postgres:<capability>`, created and
 * granted by the migrator; undefined for `postgres:admin` (the master user, whose credentials arrive in the
 * migrator's invocation payload) and for a function that does not reach Postgres.
 */
export const databaseRoleOf = (fn: Pick<FunctionSpec, "needs">): string | undefined => {
  const need = fn.needs.find((candidate) => candidate.startsWith("postgres:") && candidate !== "postgres:admin");
  return need ? `rendezvous_${need.slice("postgres:".length)}` : undefined;
};

/** Every runtime database role the migrator creates, one per `postgres:<capability>` need. */
export const DATABASE_ROLES: readonly string[] = NEEDS.flatMap((need) => {
  const role = databaseRoleOf({ needs: [need] });
  return role ? [role] : [];
});

/** Stack settings a function reads, each delivered as one environment variable. */
export const SETTINGS = {
  corsOrigins: "CORS_ORIGINS",
  oidcProviders: "OIDC_PROVIDERS",
  sessionPolicy: "SESSION_POLICY",
  sendTime: "SEND_TIME",
  latePolicy: "LATE_POLICY",
  leapDayPolicy: "LEAP_DAY_POLICY",
  webhookUrl: "WEBHOOK_URL",
  matchingPolicy: "MATCHING_POLICY",
} as const;
export type Setting = keyof typeof SETTINGS;

/**
 * The sessions table as both infra/ and the local runtime create it. adapters/dynamodb uses these attribute
 * names; a test in apps/sessions checks they agree.
 */
export const SESSIONS_TABLE = {
  partitionKey: "pk",
  /** Global secondary index listing a user's sessions, newest first. */
  userIndex: { name: "by_user", partitionKey: "user_id", sortKey: "created_at" },
  /** Epoch seconds; DynamoDB TTL deletes lazily (up to ~2 days), so expiry is also checked on every read. */
  ttlAttribute: "ttl",
} as const;

/** The deliveries queue and its dead-letter queue (the dispatcher's trigger). */
export const DELIVERIES_QUEUE = {
  /** Receives before SQS moves a message to the dead-letter queue. */
  maxReceiveCount: 5,
  retentionSeconds: 14 * 24 * 3600,
  /** AWS's advice for a Lambda source: at least six times the function's timeout. */
  visibilityTimeoutFactor: 6,
} as const;

export type UrlTrigger = { readonly kind: "url"; readonly auth: "NONE" | "AWS_IAM" };
/** An EventBridge Scheduler expression: `rate(1 minute)`, `rate(3 hours)` or `cron(0 9 * * ? *)`. */
export type ScheduleTrigger = { readonly kind: "schedule"; readonly expression: string };
export type QueueTrigger = {
  readonly kind: "queue";
  readonly queue: "deliveries";
  readonly batchSize: number;
  readonly maximumConcurrency: number;
};
/** Invoked once by the deploy (and by the local runtime on start), before the functions that depend on it. */
export type DeployTrigger = { readonly kind: "deploy" };
/**
 * Only other functions call it, through the Lambda Invoke API (RequestResponse): no URL, no schedule, no queue.
 * The delivery-store has it; locally every function also answers the Invoke API (apps/local/invoke-server.ts).
 */
export type InvokeTrigger = { readonly kind: "invoke" };
export type Trigger = UrlTrigger | ScheduleTrigger | QueueTrigger | DeployTrigger | InvokeTrigger;

export interface FunctionSpec {
  /** kebab-case, unique; also the function URL's name in the outputs. */
  readonly name: string;
  readonly description: string;
  /** Handler module, relative to the project root; it exports `handler`. */
  readonly entry: string;
  readonly triggers: readonly Trigger[];
  readonly needs: readonly Need[];
  readonly settings: readonly Setting[];
  /** @default 10 */
  readonly timeoutSeconds?: number;
  /**
   * The least memory the function works with, whatever the stack's `lambdaMemoryMb` (the matcher holds a whole
   * pool in memory). The stack's figure wins when larger.
   */
  readonly minimumMemoryMb?: number;
  /** Caps concurrent executions; the matcher uses 1 so batches never overlap. */
  readonly reservedConcurrency?: number;
  /** Folders copied beside the bundle, e.g. SQL migrations the migrator applies. */
  readonly assets?: ReadonlyArray<{ readonly from: string; readonly to: string }>;
}

/** Every function of the platform. */
export const functions: readonly FunctionSpec[] = [
  ...platformFunctions,
  ...sessionsFunctions,
  ...schedulingFunctions,
  ...matchingFunctions,
];

const NAME = /^[a-z][a-z0-9-]{1,40}$/;
const RATE = /^rate\((1 (minute|hour|day)|([2-9]|[1-9]\d+) (minutes|hours|days))\)$/;
const CRON_FIELD = /^[\d*?,/\-LW#A-Z]+$/;

/** A schedule expression EventBridge Scheduler accepts: rate(n unit) or cron with six fields. */
export const isScheduleExpression = (expression: string): boolean => {
  if (RATE.test(expression)) return true;
  const cron = /^cron\((.+)\)$/.exec(expression);
  const fields = cron?.[1]?.trim().split(/\s+/) ?? [];
  return fields.length === 6 && fields.every((field) => CRON_FIELD.test(field));
};

const triggerProblems = (fn: FunctionSpec, trigger: Trigger): string[] => {
  switch (trigger.kind) {
    case "url":
      return trigger.auth === "NONE" || trigger.auth === "AWS_IAM"
        ? []
        : [`${fn.name}: url auth must be NONE or AWS_IAM, got ${String(trigger.auth)}`];
    case "schedule":
      return isScheduleExpression(trigger.expression)
        ? []
        : [`${fn.name}: malformed schedule expression "${trigger.expression}" (expected rate(...) or cron(6 fields))`];
    case "queue":
      return trigger.batchSize >= 1 && trigger.batchSize <= 10 && trigger.maximumConcurrency >= 2
        ? []
        : [`${fn.name}: queue batchSize must be 1..10 and maximumConcurrency at least 2`];
    case "deploy":
      return [];
    case "invoke":
      // Internal on purpose: a URL or a schedule beside it would let others call what only functions should.
      return fn.triggers.length === 1 ? [] : [`${fn.name}: an invoke trigger must be the function's only trigger`];
  }
};

/** Problems of the manifest as a whole: what one function needs, another must provide. */
const crossProblems = (specs: readonly FunctionSpec[]): string[] => {
  const store = specs.find((fn) => fn.name === DELIVERY_STORE_FUNCTION);
  const servesStore = store?.triggers.some((trigger) => trigger.kind === "invoke") ?? false;
  return specs
    .filter((fn) => fn.needs.includes("deliveryStore:invoke") && !servesStore)
    .map(
      (fn) => `${fn.name}: needs deliveryStore:invoke but no ${DELIVERY_STORE_FUNCTION} function has an invoke trigger`,
    );
};

/**
 * Every problem with a manifest, one sentence each naming the function. `entryExists` is injected so this file
 * stays free of the file system (infra imports it).
 */
export const manifestProblems = (specs: readonly FunctionSpec[], entryExists: (entry: string) => boolean): string[] => {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const fn of specs) {
    if (!NAME.test(fn.name)) problems.push(`${fn.name}: name must be kebab-case, 2-41 characters`);
    if (seen.has(fn.name)) problems.push(`${fn.name}: duplicate function name`);
    seen.add(fn.name);
    if (!entryExists(fn.entry)) problems.push(`${fn.name}: entry file ${fn.entry} does not exist`);
    for (const need of fn.needs) {
      if (!(NEEDS as readonly string[]).includes(need)) problems.push(`${fn.name}: unknown need "${need}"`);
    }
    for (const setting of fn.settings) {
      if (!(setting in SETTINGS)) problems.push(`${fn.name}: unknown setting "${setting}"`);
    }
    if (fn.triggers.length === 0) problems.push(`${fn.name}: has no trigger`);
    for (const trigger of fn.triggers) problems.push(...triggerProblems(fn, trigger));
    if (fn.needs.filter((need) => need.startsWith("postgres:")).length > 1) {
      problems.push(`${fn.name}: at most one postgres:* need (one database role per function)`);
    }
    if (fn.timeoutSeconds !== undefined && !(fn.timeoutSeconds >= 1 && fn.timeoutSeconds <= 900)) {
      problems.push(`${fn.name}: timeoutSeconds must be 1..900`);
    }
    const memory = fn.minimumMemoryMb;
    if (memory !== undefined && !(Number.isInteger(memory) && memory >= 128 && memory <= 10240)) {
      problems.push(`${fn.name}: minimumMemoryMb must be an integer 128..10240`);
    }
  }
  return [...problems, ...crossProblems(specs)];
};

/**
 * How every function is bundled, as plain esbuild options: infra/ bundles with them at deploy and bench/ measures
 * the same bundles. ESM, minified, names kept for stack traces, the AWS SDK bundled (a pinned version, and
 * faster cold starts than the runtime's copy), and a `require` shim for the CommonJS dependencies.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node22",
  minify: true,
  keepNames: true,
  legalComments: "none",
  mainFields: ["module", "main"],
  banner: { js: "import{createRequire}from'module';const require=createRequire(import.meta.url);" },
} as const;

/** The function's memory on a stack whose functions get `stackMemoryMb`. */
export const memoryOf = (fn: FunctionSpec, stackMemoryMb: number): number =>
  Math.max(stackMemoryMb, fn.minimumMemoryMb ?? 0);

/** The function's timeout, with the manifest default applied. */
export const timeoutOf = (fn: FunctionSpec): number => fn.timeoutSeconds ?? 10;
