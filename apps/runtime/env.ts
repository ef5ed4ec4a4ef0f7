import * as Result from "effect/Result";
import * as Schema from "effect/Schema";
import { issuesOf } from "../../core/shared/schema.ts";

/**
 * Environment variables are the only configuration a Lambda gets (infra/ writes them from stack config; the local
 * runtime from its own settings). They are decoded once, at cold start, and a bad one stops the function with a
 * message naming the variable, instead of failing some request later.
 */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

export const readEnv = <S extends Schema.Decoder<unknown>>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): S["Type"] => {
  const result = Schema.decodeUnknownResult(schema)(env, { errors: "all", onExcessProperty: "ignore" });
  if (Result.isSuccess(result)) return result.success;
  const details = issuesOf(result.failure.issue, "env").map((issue) => `${issue.field}: ${issue.reason}`);
  throw new ConfigError(`invalid configuration: ${details.join("; ")}`);
};

/** A JSON-encoded environment variable decoded by `schema` (OIDC_PROVIDERS, SESSION_POLICY, ...). */
export const JsonEnv = <S extends Schema.Top>(schema: S) => Schema.fromJsonString(schema);

/** The region Lambda runs in (AWS_REGION is always set there); the local runtime sets it too. */
export const awsRegion = (env = process.env): string => env.AWS_REGION ?? "us-east-1";

/**
 * A local endpoint override for an AWS service (dynalite, fauxqs, the SSM stand-in, the local runtime's Lambda
 * Invoke API), using the SDK's own variable names `AWS_ENDPOINT_URL_DYNAMODB` / `_SQS` / `_SSM` / `_LAMBDA`;
 * undefined in AWS.
 */
export const awsEndpoint = (service: "DYNAMODB" | "SQS" | "SSM" | "LAMBDA", env = process.env): string | undefined =>
  env[`AWS_ENDPOINT_URL_${service}`] || undefined;
