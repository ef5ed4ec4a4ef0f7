/**
 * The business metrics, as the functions emit them (CloudWatch embedded metric format, apps/observe/metrics.ts)
 * and as infra/ watches them (alarms, dashboard). One namespace per capability; every metric carries the `Stack`
 * dimension (the stack's stage, `local` on `npm start`), plus at most one low-cardinality dimension of its own.
 * infra/ may import this file and the manifest, nothing else of apps/.
 */
export const NAMESPACES = {
  sessions: "Rendezvous/Sessions",
  scheduling: "Rendezvous/Scheduling",
  matching: "Rendezvous/Matching",
} as const;
export type Capability = keyof typeof NAMESPACES;
export type Namespace = (typeof NAMESPACES)[Capability];

export type Unit = "Count" | "Milliseconds";

export interface MetricSpec {
  readonly capability: Capability;
  readonly unit: Unit;
  /** The metric's own dimension and the values it takes; absent: only `Stack`. */
  readonly dimension?: { readonly name: string; readonly values: readonly string[] };
  readonly description: string;
}

export const STACK_DIMENSION = "Stack";

export const METRICS = {
  SessionsCreated: { capability: "sessions", unit: "Count", description: "sessions created by a sign-in" },
  SessionsValidated: {
    capability: "sessions",
    unit: "Count",
    dimension: { name: "Result", values: ["valid", "missing", "unknown", "expired", "revoked"] },
    description: "Bearer checks, by result",
  },
  SessionsRevoked: {
    capability: "sessions",
    unit: "Count",
    dimension: { name: "Scope", values: ["one", "all"] },
    description: "sessions revoked: one device, or every device of a user (the count of sessions revoked)",
  },
  SignInFailures: {
    capability: "sessions",
    unit: "Count",
    dimension: { name: "Reason", values: ["invalid_token", "unknown_provider", "subject_mismatch", "invalid_request"] },
    description: "sign-ins refused, by reason",
  },
  Deliveries: {
    capability: "scheduling",
    unit: "Count",
    dimension: { name: "Outcome", values: ["delivered", "retried", "failed", "skipped_late"] },
    description: "webhook delivery attempts, by outcome",
  },
  DeliveryLateness: {
    capability: "scheduling",
    unit: "Milliseconds",
    description: "from a message's scheduled instant to the receiver's 2xx",
  },
  DeadLettered: {
    capability: "scheduling",
    unit: "Count",
    description: "deliveries given up and sent to the dead-letter queue",
  },
  BatchRuns: {
    capability: "matching",
    unit: "Count",
    dimension: { name: "Outcome", values: ["completed", "skipped", "failed"] },
    description: "matcher runs, by outcome (skipped: another run held the lock)",
  },
  PoolSize: { capability: "matching", unit: "Count", description: "entries waiting when a batch started" },
  Pairs: {
    capability: "matching",
    unit: "Count",
    dimension: { name: "Tier", values: ["0", "1", "2"] },
    description: "pairs a batch proposed, by tier",
  },
  BatchDuration: { capability: "matching", unit: "Milliseconds", description: "a batch from lock to commit" },
  MatchResponses: {
    capability: "matching",
    unit: "Count",
    dimension: { name: "Response", values: ["accepted", "declined"] },
    description: "answers to proposed matches",
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricName = keyof typeof METRICS;

/** The value a metric's own dimension takes (a literal union where the metric has one). */
export type DimensionValue<N extends MetricName> = (typeof METRICS)[N] extends {
  readonly dimension: { readonly values: readonly (infer V)[] };
}
  ? V
  : never;

/** Environment variables every function reads for observability (infra/access.ts writes them). */
export const OBSERVABILITY_ENV = {
  /** The stack's stage (`staging`, `production`; `local` on `npm start`): the `Stack` dimension. */
  stage: "RENDEZVOUS_STAGE",
  /** `debug`, `info`, `warn` or `error`. @default info */
  logLevel: "LOG_LEVEL",
} as const;

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
