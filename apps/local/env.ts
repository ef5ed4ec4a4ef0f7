import { DELIVERY_STORE_FUNCTION, SETTINGS, type Setting } from "../manifest.ts";
import { OBSERVABILITY_ENV } from "../telemetry.ts";
import { type Engines, RESOURCE_PREFIX } from "./engines.ts";
import { LOCAL_AUDIENCE, LOCAL_PROVIDER, type LocalIdp } from "./idp.ts";

/**
 * The environment contract, written the way infra/ writes it in AWS but pointing at the local engines, the local
 * identity provider and the local webhook receiver. Functions share the runtime's process, so they share one
 * environment: every function sees every variable (in AWS each sees only its needs'; IAM enforces the rest).
 */
export interface LocalEnvInput {
  readonly engines: Engines;
  readonly region: string;
  readonly idp: LocalIdp;
  readonly webhookSecret: string;
  readonly webhookUrl: string;
  /** The SSM stand-in and the parameter there holding the webhook URL (the dispatcher reads it as in AWS). */
  readonly ssm: { readonly endpoint: string; readonly webhookUrlParameter: string };
  /** The runtime's Lambda Invoke API (apps/local/invoke-server.ts). */
  readonly lambdaEndpoint: string;
  readonly corsOrigins: readonly string[];
  /** The capability roles' passwords (database-credentials.ts); DATABASE_URL stays the migrator's superuser. */
  readonly databaseCredentialsFile: string;
  /** Stack settings by name (`latePolicy: "PT6H"`); a value here wins over the runtime's own environment. */
  readonly settings?: Partial<Record<Setting, string>>;
  /**
   * When the in-memory deliveries queue was created, empty (runtime clock): every delivery queued before it lost
   * its message, and the scheduler's recovery re-queues them at once (LOCAL_QUEUE_STARTED_AT).
   */
  readonly queueStartedAt?: Date;
}

/** OIDC_PROVIDERS with the local provider added to any the developer configured (e.g. a real Google client). */
const oidcProviders = (idp: LocalIdp, configured: string | undefined): string => {
  let providers: Record<string, unknown> = {};
  try {
    const parsed: unknown = configured ? JSON.parse(configured) : {};
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) providers = { ...parsed };
  } catch {
    throw new Error('OIDC_PROVIDERS: not valid JSON (expected {"<provider>":{issuer,audience,jwksUrl}})');
  }
  providers[LOCAL_PROVIDER] = { issuer: idp.issuer, audience: LOCAL_AUDIENCE, jwksUrl: idp.jwksUrl };
  return JSON.stringify(providers);
};

export const localEnv = (input: LocalEnvInput, ambient = process.env): Record<string, string> => {
  const settings: Record<string, string> = {};
  for (const [setting, variable] of Object.entries(SETTINGS) as Array<[Setting, string]>) {
    const value = input.settings?.[setting] ?? ambient[variable];
    if (value !== undefined) settings[variable] = value;
  }
  return {
    ...settings,
    AWS_REGION: input.region,
    AWS_DEFAULT_REGION: input.region,
    // The local engines accept any credentials; the SDK insists on some.
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_ENDPOINT_URL_DYNAMODB: input.engines.dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: input.engines.sqsEndpoint,
    AWS_ENDPOINT_URL_SSM: input.ssm.endpoint,
    AWS_ENDPOINT_URL_LAMBDA: input.lambdaEndpoint,
    DATABASE_URL: input.engines.databaseUrl,
    LOCAL_DATABASE_CREDENTIALS: input.databaseCredentialsFile,
    SESSIONS_TABLE_NAME: input.engines.sessionsTableName,
    DELIVERIES_QUEUE_URL: input.engines.queue.url,
    DELIVERIES_DLQ_URL: input.engines.queue.dlqUrl,
    // The stack's function name, as infra/ passes the alias ARN: the Invoke API resolves it like Lambda does.
    DELIVERY_STORE_FUNCTION: `${RESOURCE_PREFIX}-${DELIVERY_STORE_FUNCTION}`,
    ...(input.queueStartedAt ? { LOCAL_QUEUE_STARTED_AT: input.queueStartedAt.toISOString() } : {}),
    WEBHOOK_SECRET: input.webhookSecret,
    // A developer's own receiver (WEBHOOK_URL) wins over the runtime's; a stack setting over both.
    WEBHOOK_URL: input.settings?.webhookUrl ?? ambient.WEBHOOK_URL ?? input.webhookUrl,
    WEBHOOK_URL_PARAMETER: input.ssm.webhookUrlParameter,
    CORS_ORIGINS: JSON.stringify(input.corsOrigins),
    OIDC_PROVIDERS: oidcProviders(input.idp, input.settings?.oidcProviders ?? ambient.OIDC_PROVIDERS),
    // The metrics' Stack dimension, and the log level a developer may lower (LOG_LEVEL=debug npm start).
    [OBSERVABILITY_ENV.stage]: "local",
    [OBSERVABILITY_ENV.logLevel]: ambient[OBSERVABILITY_ENV.logLevel] ?? "info",
  };
};

/** Sets the variables on this process (before any handler module loads) and returns how to restore them. */
export const applyEnv = (env: Record<string, string>, target = process.env): (() => void) => {
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, target[name]]));
  Object.assign(target, env);
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete target[name];
      else target[name] = value;
    }
  };
};
