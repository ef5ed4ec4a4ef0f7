import type * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { afterAll, expect } from "vitest";
import { createSessionsTable } from "../../adapters/dynamodb/sessions-table.ts";
import { engines, TEST_REGION, testDynamo, uniqueName } from "../../adapters/local-engines/testing.ts";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { startLocalIdentityProvider } from "../../adapters/oidc/testing.ts";
import type { MatchingStore } from "../../core/matching/MatchingStore.ts";
import type { Chips } from "../../core/matching/model.ts";
import type { FunctionUrlResult } from "../http/events.ts";
import { bodyOf, type UrlRequest, urlEvent } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { setClockSource } from "../runtime/clock.ts";
import { matcherLayer, matchingLayer } from "../runtime/matching.ts";
import { sessionsLayerFromEnv } from "../runtime/sessions.ts";
import { makeSessionsHandler } from "../sessions/routes.ts";
import { makeMatcherHandler } from "./matcher.ts";
import { makeMatchingHandler } from "./routes.ts";

/**
 * The matching and matcher functions as Lambda runs them, for handler tests: real-shaped function-URL events,
 * Bearer sessions issued by the real sessions function (dynalite, a local OIDC provider) and checked by the real
 * Authenticator, one settable clock shared by every function, and the matching store the test chooses (the
 * memory one for the routes, Postgres for the adapter). Registers its own cleanup.
 */

export const HOUR = 3_600_000;

/** Adjacent cities so that tier 1 has something to relax to; an embedding of 4 numbers keeps bodies small. */
export const TEST_POLICY = {
  embeddingDimensions: 4,
  geography: { adjacent: { "palo alto": ["menlo park"] }, regions: { "palo alto": "bay", oakland: "bay" } },
};

export const chips = (overrides: Partial<Chips> = {}): Chips => ({
  activities: ["coffee"],
  when: ["sat-evening"],
  where: "Palo Alto",
  ...overrides,
});

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly result: FunctionUrlResult;
}

/** The match in a `{"match": ...}` answer. */
export const matchIn = (answer: Answer) =>
  (answer.body as { match: { id: string; partner: { user_id: string }; status: string } }).match;

export const startMatchingFunctions = async <E>(store: Layer.Layer<MatchingStore, E>) => {
  const idp = await startLocalIdentityProvider();
  const tableName = uniqueName("sessions");
  await createSessionsTable(testDynamo(), tableName);
  const env = {
    SESSIONS_TABLE_NAME: tableName,
    AWS_REGION: TEST_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: engines().dynamoEndpoint,
    OIDC_PROVIDERS: JSON.stringify({ local: { issuer: idp.issuer, audience: idp.audience, jwksUrl: idp.jwksUrl } }),
    MATCHING_POLICY: JSON.stringify(TEST_POLICY),
  };
  const clock = new SettableClock("2026-11-23T09:00:00.000Z");
  setClockSource(() => clock.now());
  const quiet = makeLogger({}, () => {});
  /** The matching function's log lines, to check what is (and is never) logged. */
  const logs: string[] = [];
  const runtimes = [
    ManagedRuntime.make(sessionsLayerFromEnv(env)),
    ManagedRuntime.make(matchingLayer(store, env)),
    ManagedRuntime.make(matcherLayer(store, env)),
  ] as const;
  afterAll(async () => {
    await Promise.all(runtimes.map((runtime) => runtime.dispose()));
    await idp.stop();
  });
  const sessions = makeSessionsHandler(runtimes[0], quiet);
  const matching = makeMatchingHandler(
    runtimes[1],
    makeLogger({ function: "matching" }, (line) => logs.push(line)),
  );
  const matcher = makeMatcherHandler(runtimes[2], quiet);

  /** A new user signed in through the sessions function; returns its Bearer token. */
  const signIn = async (sub: string): Promise<string> => {
    const iat = Math.floor(clock.now().getTime() / 1000);
    const idToken = await idp.sign({ sub }, { iat });
    const answer = await sessions(
      urlEvent({ method: "POST", path: "/auth/session", body: { provider: "local", id_token: idToken } }),
    );
    expect(answer.statusCode).toBe(201);
    return (bodyOf(answer) as { session_id: string }).session_id;
  };
  const call = async (request: UrlRequest): Promise<Answer> => {
    const result = await matching(urlEvent(request));
    return { status: result.statusCode, body: bodyOf(result), result };
  };
  const run = async () => {
    const result = (await matcher(
      urlEvent({ method: "POST", path: "/run", body: { trigger: "manual" } }),
    )) as FunctionUrlResult;
    expect(result.statusCode).toBe(200);
    return bodyOf(result) as { status: string; pairs_created: number; by_tier: Record<string, number> };
  };
  return { clock, env, logs, signIn, call, run, sessions, matching, matcher };
};
