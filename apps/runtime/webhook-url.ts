import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import * as Schema from "effect/Schema";
import { observeAwsCalls } from "../../adapters/aws/calls.ts";
import { awsEndpoint, awsRegion, ConfigError, readEnv } from "./env.ts";

/**
 * Where the dispatcher posts. In AWS the URL lives in an SSM parameter (`WEBHOOK_URL_PARAMETER`, its name) read at
 * run time and kept for a minute, so changing it needs no redeploy: every warm dispatcher follows within the cache
 * period. Locally the runtime serves the parameter from its SSM stand-in (`AWS_ENDPOINT_URL_SSM`), so the same path
 * runs; with no parameter named, `WEBHOOK_URL` is the URL (tests, a handler run on its own).
 */
type Env = Record<string, string | undefined>;

/** A minute: a change reaches every dispatcher within it, at one GetParameter per container per minute. */
export const WEBHOOK_URL_CACHE_MS = 60_000;

/** https anywhere; plain http only to this machine (the local receiver). */
export const isWebhookUrl = (value: string): boolean => {
  try {
    const url = new URL(value);
    const local = ["localhost", "127.0.0.1", "[::1]"].includes(url.hostname);
    return url.protocol === "https:" || (url.protocol === "http:" && local);
  } catch {
    return false;
  }
};

const WebhookEnv = Schema.Struct({
  WEBHOOK_URL: Schema.String.check(
    Schema.makeFilter((v: string) => isWebhookUrl(v) || "expected an https URL (http only for localhost)"),
  ),
});

export const readWebhookUrl = (env: Env = process.env): string => readEnv(WebhookEnv, env).WEBHOOK_URL;

/** The one SSM call this makes, so a test can count it. */
export interface ParameterCalls {
  send(command: GetParameterCommand): Promise<{ Parameter?: { Value?: string } }>;
}

export interface CachedParameterOptions {
  readonly client: ParameterCalls;
  readonly name: string;
  /** @default WEBHOOK_URL_CACHE_MS */
  readonly ttlMs?: number;
  /** Milliseconds since the epoch. @default Date.now */
  readonly now?: () => number;
}

/**
 * A reader of one parameter: the cached value while it is fresh, else one GetParameter shared by concurrent
 * callers. A failed read serves the last value it had (SSM throttling must not stop deliveries) and is retried by
 * the next call; with no value yet it rejects.
 */
export const cachedParameter = (options: CachedParameterOptions): (() => Promise<string>) => {
  const ttlMs = options.ttlMs ?? WEBHOOK_URL_CACHE_MS;
  const now = options.now ?? Date.now;
  let cached: { value: string; readAt: number } | undefined;
  let reading: Promise<string> | undefined;
  const read = async (): Promise<string> => {
    try {
      const answer = await options.client.send(new GetParameterCommand({ Name: options.name }));
      const value = answer.Parameter?.Value;
      if (!value) throw new Error(`SSM parameter ${options.name} has no value`);
      cached = { value, readAt: now() };
      return value;
    } catch (error) {
      if (cached) return cached.value;
      throw error;
    }
  };
  return () => {
    if (cached && now() - cached.readAt < ttlMs) return Promise.resolve(cached.value);
    reading ??= read().finally(() => {
      reading = undefined;
    });
    return reading;
  };
};

export const ssmClientFromEnv = (env: Env = process.env): SSMClient => {
  const endpoint = awsEndpoint("SSM", env);
  return observeAwsCalls(new SSMClient({ region: awsRegion(env), ...(endpoint ? { endpoint } : {}) }), "ssm");
};

/**
 * The webhook URL source of a dispatcher: the parameter when `WEBHOOK_URL_PARAMETER` is set (a value that is not a
 * webhook URL rejects, naming it), else `WEBHOOK_URL`, decoded now. Neither is a ConfigError at cold start.
 */
export const webhookUrlFromEnv = (
  env: Env = process.env,
  client: ParameterCalls = ssmClientFromEnv(env),
  now?: () => number,
): (() => Promise<string>) => {
  const name = env.WEBHOOK_URL_PARAMETER;
  if (!name) {
    if (env.WEBHOOK_URL === undefined) {
      throw new ConfigError("invalid configuration: set WEBHOOK_URL_PARAMETER (an SSM parameter) or WEBHOOK_URL");
    }
    const url = readWebhookUrl(env);
    return () => Promise.resolve(url);
  }
  const read = cachedParameter({ client, name, ...(now ? { now } : {}) });
  return async () => {
    const url = await read();
    if (!isWebhookUrl(url)) throw new Error(`SSM parameter ${name}: expected an https URL, got "${url.slice(0, 100)}"`);
    return url;
  };
};
