import { randomUUID } from "node:crypto";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type { Intention, MatchingStore } from "../../../core/matching/MatchingStore.ts";
import type { PoolEntry } from "../../../core/matching/model.ts";
import { defaultPolicy, type MatchingPolicy } from "../../../core/matching/policy.ts";
import { TEST_GEOGRAPHY } from "../../../core/matching/testing.ts";
import { MatchingConfig } from "../../../core/matching/usecases.ts";
import { SettableClock } from "../../memory/clock.ts";
import { cryptoIds } from "../../node/system.ts";
import type { DatabaseHandle } from "../client.ts";
import { postgresMatchingStore } from "./store.ts";

/** The matching use cases on a test database, with a settable clock; `store` swaps in a wrapped store. */
export const matchingHarness = (
  db: DatabaseHandle,
  start: string,
  options: { store?: Layer.Layer<MatchingStore>; policy?: Partial<MatchingPolicy> } = {},
) => {
  const clock = new SettableClock(start);
  const layer = Layer.mergeAll(
    clock.layer,
    cryptoIds,
    options.store ?? postgresMatchingStore(db.sql),
    Layer.succeed(MatchingConfig, { ...defaultPolicy, geography: TEST_GEOGRAPHY, ...options.policy }),
  );
  type R = Layer.Success<typeof layer>;
  const run = <A, E>(effect: Effect.Effect<A, E, R>) => Effect.runPromise(Effect.provide(effect, layer));
  const fail = <A, E>(effect: Effect.Effect<A, E, R>) => Effect.runPromise(Effect.flip(Effect.provide(effect, layer)));
  return { clock, run, fail };
};

/** Empties every matching table between tests (they share one database per file). */
export const truncateMatching = (db: DatabaseHandle) =>
  db.sql`truncate match_feedback, match_declines, match_members, matches, matching_runs, pool_entries, intentions`;

/** Seeds `entries` (from core/matching/testing.ts randomPool) as intentions waiting in the pool, with UUID ids. */
export const seedPool = async (store: MatchingStore["Service"], entries: readonly PoolEntry[]) => {
  for (const entry of entries) {
    const intention: Intention = {
      id: randomUUID(),
      userId: entry.userId,
      text: undefined,
      chips: entry.chips,
      embedding: entry.embedding,
      createdAt: entry.joinedAt,
    };
    await Effect.runPromise(
      store.replaceIntention(intention, { tier: entry.tier, joinedAt: entry.joinedAt }, entry.joinedAt),
    );
  }
};

/** Invariants that must hold after any batch, read straight from the tables. */
export const violations = async (db: DatabaseHandle) => {
  const [row] = await db.sql<{ double_matched: number; matched_and_pooled: number; repeated_pairs: number }[]>`
    select
      (select count(*)::int from (select user_id from match_members where active group by user_id having count(*) > 1) d)
        as double_matched,
      (select count(*)::int from pool_entries p join match_members mm on mm.user_id = p.user_id and mm.active)
        as matched_and_pooled,
      (select count(*)::int from (select least(user_a, user_b), greatest(user_a, user_b) from matches
        group by 1, 2 having count(*) > 1) r) as repeated_pairs`;
  return row;
};
