import * as Effect from "effect/Effect";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import { MatchingStore } from "../../core/matching/MatchingStore.ts";
import {
  currentMatch,
  getIntention,
  giveFeedback,
  leavePool,
  MatchingConfig,
  putIntention,
  rankCandidates,
  respondToMatch,
} from "../../core/matching/usecases.ts";
import { Authenticator } from "../../core/sessions/Authenticator.ts";
import { Clock } from "../../core/shared/Clock.ts";
import type { Ids } from "../../core/shared/Ids.ts";
import { requireUser } from "../http/auth.ts";
import { makeHttpHandler } from "../http/handler.ts";
import { type HttpRequest, json, noContent, type Route, route } from "../http/router.ts";
import type { Logger } from "../observe/log.ts";
import { recordMetric } from "../observe/metrics.ts";
import { CANDIDATES_FIELDS, FEEDBACK_FIELDS, INTENTION_FIELDS, rejectUnknownFields } from "./strict.ts";
import { candidateView, intentionView, matchView, poolView } from "./views.ts";

/** What the matching function's routes need; apps/runtime/matching.ts builds it from the environment. */
export type MatchingServices = Authenticator | MatchingStore | MatchingConfig | Clock | Ids;

const now = Effect.gen(function* () {
  return yield* (yield* Clock).now;
});

/** Accept and decline take no body; anything in one is a client mistake worth reporting. */
const NO_FIELDS = {};

const respond = (response: "accept" | "decline") => (request: HttpRequest) =>
  Effect.gen(function* () {
    const user = yield* requireUser(request);
    yield* rejectUnknownFields(NO_FIELDS)(request.body);
    const match = yield* respondToMatch(user.userId, request.params.id ?? "", response);
    recordMetric("MatchResponses", response === "accept" ? "accepted" : "declined");
    return json(200, { match: matchView(match, user.userId, yield* now) });
  });

/** The matching function's routes (API.md, "matching"): every one but /health needs a Bearer session. */
const routes: Route<MatchingServices>[] = [
  route("PUT", "/intention", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      yield* rejectUnknownFields(INTENTION_FIELDS)(request.body);
      const joined = yield* putIntention(user.userId, request.body);
      const policy = yield* MatchingConfig;
      return json(joined.created ? 201 : 200, {
        intention: intentionView(joined.intention),
        pool: poolView(policy, joined.pool, yield* now),
      });
    }),
  ),
  route("GET", "/intention", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      const current = yield* getIntention(user.userId);
      const [policy, at] = [yield* MatchingConfig, yield* now];
      return json(200, {
        intention: intentionView(current.intention),
        // null while matched: the intention is out of the pool until a decline or expiry brings it back.
        pool: current.pool ? poolView(policy, current.pool, at) : null,
        ...(current.match ? { match: matchView(current.match, user.userId, at) } : {}),
      });
    }),
  ),
  route("DELETE", "/intention", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      // Idempotent: leaving a pool one is not in already has the requested outcome.
      yield* leavePool(user.userId);
      return noContent;
    }),
  ),
  route("GET", "/match", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      const match = yield* currentMatch(user.userId);
      return json(200, { match: matchView(match, user.userId, yield* now) });
    }),
  ),
  route("POST", "/match/{id}/accept", respond("accept")),
  route("POST", "/match/{id}/decline", respond("decline")),
  route("POST", "/match/{id}/feedback", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      yield* rejectUnknownFields(FEEDBACK_FIELDS)(request.body);
      yield* giveFeedback(user.userId, request.params.id ?? "", request.body);
      return noContent;
    }),
  ),
  route("POST", "/candidates", (request) =>
    Effect.gen(function* () {
      const user = yield* requireUser(request);
      yield* rejectUnknownFields(CANDIDATES_FIELDS)(request.body);
      const ranked = yield* rankCandidates(user.userId, request.body);
      return json(200, { candidates: ranked.map(candidateView) });
    }),
  ),
];

/**
 * `GET /health`: the database answers, and the sessions table: the probe is a well-formed token no one was issued,
 * so it costs one GetItem and answers "unknown" (401) when the table is reachable.
 */
const PROBE_TOKEN = `${"A".repeat(16)}.${"A".repeat(43)}`;
const health = {
  database: Effect.gen(function* () {
    yield* (yield* MatchingStore).ping;
  }),
  sessions_table: Effect.gen(function* () {
    return yield* (yield* Authenticator).authenticate(PROBE_TOKEN);
  }).pipe(Effect.catchTag("Unauthenticated", () => Effect.void)),
};

export const makeMatchingHandler = (
  runtime: ManagedRuntime.ManagedRuntime<MatchingServices, unknown>,
  logger?: Logger,
) => makeHttpHandler({ name: "matching", routes, health, runtime, ...(logger ? { logger } : {}) });
