import * as Context from "effect/Context";
import * as Duration from "effect/Duration";
import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import { Clock } from "../shared/Clock.ts";
import { NotFound, ValidationFailed } from "../shared/errors.ts";
import { Ids } from "../shared/Ids.ts";
import { decodeInput } from "../shared/schema.ts";
import { planBatch } from "./batch.ts";
import { type Intention, MatchingStore, type PoolState, type Response } from "./MatchingStore.ts";
import { IntentionInput, MUST_HAVE_KEYS, type Tier } from "./model.ts";
import { type MatchingPolicy, matchExpiresAt, nextBatchAt, tierAt, tierNow } from "./policy.ts";
import { Interner, mustHave, placesOf, profileOf } from "./profile.ts";
import { pairTier, scoreProfiles } from "./score.ts";

/** The policy in force, as a service so the app reads MATCHING_POLICY once and tests pass their own. */
export class MatchingConfig extends Context.Service<MatchingConfig, MatchingPolicy>()("core/matching/MatchingConfig") {}

const matchNotFound = (id: string) => new NotFound({ resource: "match", id });
/** Ids are ours (UUIDs); anything longer is not one, and never reaches the store. */
const plausibleId = (id: string): boolean => id.length > 0 && id.length <= 64;

export const putIntention = Effect.fn("Matching.putIntention")(function* (userId: string, body: unknown) {
  const input = yield* decodeInput(IntentionInput)(body);
  const policy = yield* MatchingConfig;
  if (input.embedding !== undefined) {
    const dims = policy.embeddingDimensions;
    if (input.embedding.length !== dims) {
      return yield* ValidationFailed.of("embedding", `expected ${dims} numbers, got ${input.embedding.length}`);
    }
    if (input.embedding.every((v) => v === 0)) return yield* ValidationFailed.of("embedding", "must not be all zeros");
  }
  const now = yield* (yield* Clock).now;
  const intention: Intention = {
    id: yield* (yield* Ids).newId,
    userId,
    text: input.text,
    chips: input.chips,
    embedding: input.embedding,
    createdAt: now,
  };
  const pool: PoolState = { tier: 0, joinedAt: now };
  const { replaced } = yield* (yield* MatchingStore).replaceIntention(intention, pool, now);
  return { created: !replaced, intention, pool, nextBatchAt: nextBatchAt(policy, now) };
});

export const getIntention = Effect.fn("Matching.getIntention")(function* (userId: string) {
  const store = yield* MatchingStore;
  const now = yield* (yield* Clock).now;
  const current = yield* store.currentIntention(userId, now);
  if (!current) return yield* new NotFound({ resource: "intention", id: userId });
  const match = yield* store.activeMatch(userId, now);
  const policy = yield* MatchingConfig;
  return { ...current, match, nextBatchAt: nextBatchAt(policy, now) };
});

export const leavePool = Effect.fn("Matching.leavePool")(function* (userId: string) {
  const now = yield* (yield* Clock).now;
  return yield* (yield* MatchingStore).withdraw(userId, now);
});

export const currentMatch = Effect.fn("Matching.currentMatch")(function* (userId: string) {
  const now = yield* (yield* Clock).now;
  const match = yield* (yield* MatchingStore).activeMatch(userId, now);
  if (!match) return yield* new NotFound({ resource: "match", id: userId });
  return match;
});

export const respondToMatch = Effect.fn("Matching.respond")(function* (
  userId: string,
  matchId: string,
  response: Response,
) {
  if (!plausibleId(matchId)) return yield* matchNotFound(matchId);
  const now = yield* (yield* Clock).now;
  return yield* (yield* MatchingStore).respond(matchId, userId, response, now);
});

const FeedbackInput = Schema.Struct({
  matched_on: Schema.Array(Schema.Literals([...MUST_HAVE_KEYS, "embedding"])).check(
    Schema.isMaxLength(MUST_HAVE_KEYS.length + 1),
    Schema.isUnique(),
  ),
  was_accurate: Schema.Boolean,
});

export const giveFeedback = Effect.fn("Matching.feedback")(function* (userId: string, matchId: string, body: unknown) {
  const input = yield* decodeInput(FeedbackInput)(body);
  if (!plausibleId(matchId)) return yield* matchNotFound(matchId);
  const now = yield* (yield* Clock).now;
  yield* (yield* MatchingStore).recordFeedback(
    matchId,
    userId,
    { matchedOn: input.matched_on, wasAccurate: input.was_accurate },
    now,
  );
});

const CandidatesInput = Schema.Struct({
  limit: Schema.optionalKey(Schema.Int.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(50))),
});

/** Ranked pool entries for the caller's intention now: the batch's own scoring, on the cities its tier reaches. */
export const rankCandidates = Effect.fn("Matching.candidates")(function* (userId: string, body: unknown) {
  const input = yield* decodeInput(CandidatesInput)(body ?? {});
  const store = yield* MatchingStore;
  const policy = yield* MatchingConfig;
  const now = yield* (yield* Clock).now;
  const current = yield* store.currentIntention(userId, now);
  if (!current) return yield* new NotFound({ resource: "intention", id: userId });
  const tier = tierNow(policy, current.pool?.joinedAt ?? current.intention.createdAt, now);
  const interner = new Interner();
  const places = placesOf(policy.geography);
  const self = profileOf({ ...current.intention, joinedAt: now, tier }, tier, interner);
  const cities = new Set([self.city]);
  if (!mustHave(self, "where") && tier >= 1) for (const c of places.adjacent.get(self.city) ?? []) cities.add(c);
  const region = places.regionOf.get(self.city);
  if (!mustHave(self, "where") && tier >= 2 && region) for (const c of places.citiesIn.get(region) ?? []) cities.add(c);
  const [entries, past] = yield* Effect.all([store.poolIn([...cities]), store.pastPartners(userId)]);
  const ranked = entries.flatMap((entry) => {
    const waitedOther = tierAt(policy, entry.joinedAt, now);
    if (past.has(entry.userId) || waitedOther === "expired") return [];
    const other = profileOf(entry, Math.max(entry.tier, waitedOther) as Tier, interner);
    const why = { matched_on: [] as string[], relaxed: [] as string[] };
    const score = scoreProfiles(self, other, pairTier(tier, other.tier), policy, places, why);
    if (score < policy.threshold) return [];
    return [{ userId: entry.userId, score, matchedOn: why.matched_on, joinedAt: entry.joinedAt }];
  });
  ranked.sort((x, y) => y.score - x.score || x.joinedAt.getTime() - y.joinedAt.getTime());
  return ranked.slice(0, input.limit ?? 10);
});

export interface RunReport {
  readonly run_id: string;
  readonly status: "completed" | "skipped_locked";
  readonly pool_size: number;
  readonly pairs_created: number;
  readonly by_tier: { readonly "0": number; readonly "1": number; readonly "2": number };
  readonly promoted: number;
  readonly expired: number;
  readonly duration_ms: number;
}

/** One batch: the store holds the lock and the transaction; the plan is the pure planBatch. */
export const runMatcher = Effect.fn("Matching.runMatcher")(function* () {
  const policy = yield* MatchingConfig;
  const started = yield* (yield* Clock).now;
  const runId = yield* (yield* Ids).newId;
  // Elapsed time from Effect's own clock: the domain Clock may be frozen or travelled (tests, local runtime).
  const [elapsed, outcome] = yield* Effect.timed(
    (yield* MatchingStore).runBatch(runId, started, matchExpiresAt(policy, started), (input) =>
      Effect.sync(() => planBatch({ ...input, entries: [...input.entries], policy, now: started })),
    ),
  );
  const duration_ms = Math.round(Duration.toMillis(elapsed));
  const empty = { pool_size: 0, pairs_created: 0, by_tier: { "0": 0, "1": 0, "2": 0 }, promoted: 0, expired: 0 };
  const figures = outcome === "skipped_locked" ? empty : outcome;
  const status = outcome === "skipped_locked" ? "skipped_locked" : "completed";
  return { run_id: runId, status, ...figures, duration_ms } satisfies RunReport;
});
