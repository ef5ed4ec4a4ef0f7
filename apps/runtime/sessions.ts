import * as Layer from "effect/Layer";
import * as Schema from "effect/Schema";
import { makeDynamoDocumentClient } from "../../adapters/dynamodb/client.ts";
import { dynamoSessionStore } from "../../adapters/dynamodb/sessions.ts";
import { nodeSecretHasher } from "../../adapters/node/hasher.ts";
import { cryptoIds } from "../../adapters/node/system.ts";
import { jwksUrlProblem, type OidcProvider, oidcVerifier } from "../../adapters/oidc/verifier.ts";
import type { Authenticator } from "../../core/sessions/Authenticator.ts";
import type { IdentityVerifier } from "../../core/sessions/IdentityVerifier.ts";
import { SessionPolicyFields, type SessionPolicyValues, withPolicyDefaults } from "../../core/sessions/model.ts";
import type { SecretHasher } from "../../core/sessions/SecretHasher.ts";
import { sessionAuthenticator } from "../../core/sessions/SessionAuthenticator.ts";
import { type SessionPolicy, sessionPolicyLayer } from "../../core/sessions/SessionPolicy.ts";
import type { SessionStore } from "../../core/sessions/SessionStore.ts";
import type { Clock } from "../../core/shared/Clock.ts";
import type { Ids } from "../../core/shared/Ids.ts";
import { xrayTracerLayer } from "../observe/tracing.ts";
import { appClock } from "./clock.ts";
import { awsEndpoint, awsRegion, ConfigError, JsonEnv, readEnv } from "./env.ts";

/**
 * Sessions wiring from the environment (infra/ writes it in AWS, the local runtime locally):
 * `SESSIONS_TABLE_NAME`, `SESSION_POLICY` (optional JSON, defaults in core), `OIDC_PROVIDERS` (optional JSON
 * `{"<name>":{"issuer","audience","jwksUrl","maxExpiresInSeconds"?}}`). A bad value throws ConfigError at cold start, naming it.
 */
const Text = Schema.String.check(Schema.isMinLength(1), Schema.isMaxLength(2048));
const JwksUrl = Text.check(Schema.makeFilter((value: string) => jwksUrlProblem(value) ?? true));
const Providers = Schema.Record(
  Schema.String.check(Schema.isPattern(/^[a-z][a-z0-9_-]{0,63}$/)),
  Schema.Struct({
    issuer: Text,
    audience: Text,
    jwksUrl: JwksUrl,
    // How far ahead an ID token's exp may be (the verifier's default is 24 h); a minute to 31 days.
    maxExpiresInSeconds: Schema.optionalKey(
      Schema.Int.check(Schema.isGreaterThanOrEqualTo(60), Schema.isLessThanOrEqualTo(31 * 24 * 3600)),
    ),
  }),
);

const TableEnv = Schema.Struct({
  SESSIONS_TABLE_NAME: Schema.String.check(Schema.isPattern(/^[A-Za-z0-9_.-]{3,255}$/)),
  SESSION_POLICY: Schema.optionalKey(JsonEnv(SessionPolicyFields)),
});
const SessionsEnv = Schema.Struct({
  ...TableEnv.fields,
  OIDC_PROVIDERS: Schema.optionalKey(JsonEnv(Providers)),
});

/** The policy with defaults; a touch interval as long as the idle timeout would expire sessions in use. */
const policyOf = (overrides: typeof SessionPolicyFields.Type | undefined): SessionPolicyValues => {
  const policy = withPolicyDefaults(overrides ?? {});
  if (policy.touchIntervalSeconds >= policy.idleTimeoutSeconds) {
    throw new ConfigError(
      "invalid configuration: SESSION_POLICY: touchIntervalSeconds must be below idleTimeoutSeconds",
    );
  }
  return policy;
};

export interface SessionsSettings {
  readonly tableName: string;
  readonly policy: SessionPolicyValues;
  readonly providers: Readonly<Record<string, OidcProvider>>;
}

export const readSessionsSettings = (env: Record<string, string | undefined> = process.env): SessionsSettings => {
  const decoded = readEnv(SessionsEnv, env);
  return {
    tableName: decoded.SESSIONS_TABLE_NAME,
    policy: policyOf(decoded.SESSION_POLICY),
    providers: decoded.OIDC_PROVIDERS ?? {},
  };
};

type StoreServices = SessionStore | SecretHasher | SessionPolicy | Clock;

const storeLayer = (env: Record<string, string | undefined>, tableName: string, policy: SessionPolicyValues) => {
  const dynamo = makeDynamoDocumentClient({ region: awsRegion(env), endpoint: awsEndpoint("DYNAMODB", env) });
  return Layer.mergeAll(dynamoSessionStore(dynamo, tableName), nodeSecretHasher, sessionPolicyLayer(policy), appClock);
};

/** Everything the sessions function's use cases need, plus the Authenticator for its bearer routes. */
export const sessionsLayerFromEnv = (
  env: Record<string, string | undefined> = process.env,
): Layer.Layer<StoreServices | IdentityVerifier | Ids | Authenticator> => {
  const settings = readSessionsSettings(env);
  const base = storeLayer(env, settings.tableName, settings.policy);
  return Layer.mergeAll(
    base,
    oidcVerifier(settings.providers),
    cryptoIds,
    Layer.provide(sessionAuthenticator, base),
    xrayTracerLayer(env),
  );
};

/**
 * The Authenticator for another function's bearer routes (matching), against the same table and policy. It
 * slides idle expiry like the sessions function does, so that function needs `sessionsTable:validate` (GetItem and
 * UpdateItem on the table) and the `sessionPolicy` setting.
 */
export const authenticatorLayerFromEnv = (
  env: Record<string, string | undefined> = process.env,
): Layer.Layer<Authenticator> => {
  const decoded = readEnv(TableEnv, env);
  const base = storeLayer(env, decoded.SESSIONS_TABLE_NAME, policyOf(decoded.SESSION_POLICY));
  return Layer.provide(sessionAuthenticator, base);
};
