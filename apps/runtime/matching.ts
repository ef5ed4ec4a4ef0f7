import * as Layer from "effect/Layer";
import * as Result from "effect/Result";
import * as Schema from "effect/Schema";
import { cryptoIds } from "../../adapters/node/system.ts";
import { postgresMatchingStore } from "../../adapters/postgres/matching/store.ts";
import type { MatchingStore } from "../../core/matching/MatchingStore.ts";
import { type MatchingPolicy, PolicyOverrides, policyFrom, policyProblem } from "../../core/matching/policy.ts";
import { MatchingConfig } from "../../core/matching/usecases.ts";
import type { Authenticator } from "../../core/sessions/Authenticator.ts";
import type { Clock } from "../../core/shared/Clock.ts";
import type { DependencyUnavailable } from "../../core/shared/errors.ts";
import type { Ids } from "../../core/shared/Ids.ts";
import { issuesOf } from "../../core/shared/schema.ts";
import { xrayTracerLayer } from "../observe/tracing.ts";
import { appClock } from "./clock.ts";
import { layerOnDatabase } from "./database.ts";
import { ConfigError, JsonEnv } from "./env.ts";
import { authenticatorLayerFromEnv } from "./sessions.ts";

/**
 * Matching wiring from the environment: `MATCHING_POLICY` (optional JSON, any subset of the core's policy; the
 * defaults are the old product's), the sessions table for the Authenticator, and the matching store. A bad value
 * throws ConfigError at cold start naming the key, e.g. `MATCHING_POLICY.weights.time: Expected a value <= 10`.
 */
type Env = Record<string, string | undefined>;

const NAME = "MATCHING_POLICY";
const PolicyJson = JsonEnv(PolicyOverrides);

const fail = (details: readonly string[]): never => {
  throw new ConfigError(`invalid configuration: ${details.join("; ")}`);
};

/**
 * The policy in force. Unknown keys are errors, not ignored: a misspelt `"treshold"` would otherwise run the
 * matcher on the default silently.
 */
export const readMatchingPolicy = (env: Env = process.env): MatchingPolicy => {
  const raw = env.MATCHING_POLICY;
  if (raw === undefined || raw.trim() === "") return policyFrom({});
  const decoded = Schema.decodeUnknownResult(PolicyJson)(raw, { errors: "all", onExcessProperty: "error" });
  if (Result.isFailure(decoded)) {
    return fail(
      issuesOf(decoded.failure.issue, NAME).map(({ field, reason }) => {
        const key = field === NAME ? NAME : `${NAME}.${field}`;
        return `${key}: ${reason === "Expected no excess property" ? "unknown key" : reason}`;
      }),
    );
  }
  const policy = policyFrom(decoded.success);
  const problem = policyProblem(policy);
  return problem === undefined ? policy : fail([`MATCHING_POLICY: ${problem}`]);
};

export const matchingConfigLayer = (env: Env = process.env): Layer.Layer<MatchingConfig> =>
  Layer.succeed(MatchingConfig, readMatchingPolicy(env));

/**
 * The Postgres matching store on one small pool per warm Lambda as the `rendezvous_matching` role (see
 * ./database.ts), closed when the runtime is disposed. A request and a batch are each one transaction, so one
 * connection is enough, and it is what the connection budget counts (infra/connection-budget.ts: production's 100
 * matching instances fit db.t4g.small only at one each).
 */
export const postgresMatchingStoreFromEnv = (
  env: Env = process.env,
): Layer.Layer<MatchingStore, DependencyUnavailable> => layerOnDatabase("matching", postgresMatchingStore, env, 1);

/** The matcher's services: the store (Postgres in AWS and locally, memory in handler tests), clock, ids, policy. */
export const matcherLayer = <E, R>(store: Layer.Layer<MatchingStore, E, R>, env: Env = process.env) =>
  Layer.mergeAll(store, appClock, cryptoIds, matchingConfigLayer(env), xrayTracerLayer(env));

/** The matching API's services: the matcher's, plus the Authenticator on the sessions table for Bearer routes. */
export const matchingLayer = <E, R>(
  store: Layer.Layer<MatchingStore, E, R>,
  env: Env = process.env,
): Layer.Layer<Authenticator | MatchingStore | MatchingConfig | Clock | Ids, E, R> =>
  Layer.mergeAll(matcherLayer(store, env), authenticatorLayerFromEnv(env));
