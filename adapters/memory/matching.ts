import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { type Intention, type Match, MatchingStore, type PoolState } from "../../core/matching/MatchingStore.ts";
import { isActive, partnerOf, respondTo } from "../../core/matching/matches.ts";
import { type PoolEntry, pairKey } from "../../core/matching/model.ts";
import { cityOf } from "../../core/matching/profile.ts";
import { Conflict, Forbidden, NotFound } from "../../core/shared/errors.ts";

/**
 * The matching store in memory, for core tests and demos. Each method runs synchronously, so it is atomic; a
 * `busy` flag stands in for the advisory lock while a batch's planner runs.
 */
export const makeMemoryMatchingStore = () => {
  const intentions = new Map<string, Intention>();
  const activeByUser = new Map<string, string>();
  const pool = new Map<string, PoolState>();
  const matches = new Map<string, Match>();
  const feedback: Array<{ matchId: string; userId: string; matchedOn: readonly string[]; wasAccurate: boolean }> = [];
  let counter = 0;
  let busy = false;

  const activeMatchOf = (userId: string, now: Date) =>
    [...matches.values()].find((m) => (m.userA === userId || m.userB === userId) && isActive(m, now));
  const entryOf = (id: string): PoolEntry => {
    const intention = intentions.get(id) as Intention;
    const state = pool.get(id) as PoolState;
    return { ...intention, joinedAt: state.joinedAt, tier: state.tier };
  };

  const store = MatchingStore.of({
    ping: Effect.void,
    replaceIntention: (intention, state, now) =>
      Effect.suspend(() => {
        if (activeMatchOf(intention.userId, now)) {
          return Effect.fail(new Conflict({ message: "you have an active match; decline it or let it expire first" }));
        }
        const previous = activeByUser.get(intention.userId);
        if (previous) pool.delete(previous);
        intentions.set(intention.id, intention);
        activeByUser.set(intention.userId, intention.id);
        pool.set(intention.id, state);
        return Effect.succeed({ replaced: previous !== undefined });
      }),
    currentIntention: (userId) =>
      Effect.sync(() => {
        const id = activeByUser.get(userId);
        return id === undefined ? undefined : { intention: intentions.get(id) as Intention, pool: pool.get(id) };
      }),
    withdraw: (userId) =>
      Effect.sync(() => {
        const id = activeByUser.get(userId);
        if (id === undefined) return false;
        pool.delete(id);
        activeByUser.delete(userId);
        return true;
      }),
    activeMatch: (userId, now) => Effect.sync(() => activeMatchOf(userId, now)),
    respond: (matchId, userId, response, now) =>
      Effect.suspend((): Effect.Effect<Match, NotFound | Forbidden | Conflict> => {
        const match = matches.get(matchId);
        if (!match) return Effect.fail(new NotFound({ resource: "match", id: matchId }));
        const result = respondTo(match, userId, response, now);
        if (result instanceof Forbidden || result instanceof Conflict) return Effect.fail(result);
        matches.set(matchId, result.match);
        for (const id of result.requeue) {
          const intention = intentions.get(id);
          if (intention && activeByUser.get(intention.userId) === id) {
            // Back with its original joining time, so its waiting (and tier, and expiry) carry on.
            pool.set(id, { tier: match.tier, joinedAt: intention.createdAt });
          }
        }
        return Effect.succeed(result.match);
      }),
    recordFeedback: (matchId, userId, input) =>
      Effect.suspend((): Effect.Effect<void, NotFound | Forbidden> => {
        const match = matches.get(matchId);
        if (!match) return Effect.fail(new NotFound({ resource: "match", id: matchId }));
        if (partnerOf(match, userId) === undefined)
          return Effect.fail(new Forbidden({ message: "this match is not yours" }));
        feedback.push({ matchId, userId, ...input });
        return Effect.void;
      }),
    poolIn: (cities) =>
      Effect.sync(() => {
        const wanted = new Set(cities);
        return [...pool.keys()].map(entryOf).filter((e) => wanted.has(cityOf(e.chips)));
      }),
    pastPartners: (userId) =>
      Effect.sync(
        () =>
          new Set(
            [...matches.values()].flatMap((m) => {
              const partner = partnerOf(m, userId);
              return partner === undefined ? [] : [partner];
            }),
          ),
      ),
    runBatch: (_runId, now, matchesExpireAt, plan) =>
      Effect.gen(function* () {
        if (busy) return "skipped_locked" as const;
        busy = true;
        try {
          const blocked = new Set([...matches.values()].map((m) => pairKey(m.userA, m.userB)));
          const result = yield* plan({ entries: [...pool.keys()].map(entryOf), blockedPairs: blocked });
          for (const id of result.expired) {
            pool.delete(id);
            const intention = intentions.get(id);
            if (intention && activeByUser.get(intention.userId) === id) activeByUser.delete(intention.userId);
          }
          for (const { id, tier } of result.promoted) {
            const state = pool.get(id);
            if (state) pool.set(id, { ...state, tier });
          }
          for (const pair of result.pairs) {
            const swap = pair.userA > pair.userB;
            const id = `match-${String(++counter).padStart(6, "0")}`;
            matches.set(id, {
              id,
              userA: swap ? pair.userB : pair.userA,
              userB: swap ? pair.userA : pair.userB,
              intentionA: swap ? pair.b : pair.a,
              intentionB: swap ? pair.a : pair.b,
              score: pair.score,
              tier: pair.tier,
              matchedOn: pair.matched_on,
              relaxed: pair.relaxed,
              status: "proposed",
              acceptedA: false,
              acceptedB: false,
              createdAt: now,
              expiresAt: matchesExpireAt,
            });
            pool.delete(pair.a);
            pool.delete(pair.b);
          }
          const { pool_size, pairs_created, by_tier, promoted, expired } = result.figures;
          return { pool_size, pairs_created, by_tier, promoted, expired };
        } finally {
          busy = false;
        }
      }),
  });

  return { store, layer: Layer.succeed(MatchingStore, store), feedback };
};
