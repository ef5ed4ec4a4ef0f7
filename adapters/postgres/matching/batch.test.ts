import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { BatchPlan } from "../../../core/matching/batch.ts";
import { MatchingStore } from "../../../core/matching/MatchingStore.ts";
import { defaultPolicy, tierAt } from "../../../core/matching/policy.ts";
import { randomPool } from "../../../core/matching/testing.ts";
import { currentMatch, leavePool, respondToMatch, runMatcher } from "../../../core/matching/usecases.ts";
import { freshDatabase } from "../../local-engines/testing.ts";
import { type DatabaseHandle, openDatabase } from "../client.ts";
import { makePostgresMatchingStore } from "./store.ts";
import { matchingHarness, seedPool, truncateMatching, violations } from "./testing.ts";

let url: string;
let db: DatabaseHandle;
beforeAll(async () => {
  url = await freshDatabase({ migrate: true });
  db = openDatabase({ url, max: 6 });
});
afterAll(() => db?.close());
beforeEach(() => truncateMatching(db));

const NOW = new Date("2026-11-23T12:00:00.000Z");
const WEEK_LATER = new Date("2026-11-30T12:00:00.000Z");
const HOUR = 3_600_000;
const CLEAN = { double_matched: 0, matched_and_pooled: 0, repeated_pairs: 0 };

/** A store whose batch, once it holds the lock, waits for `release` before planning. */
const gatedStore = (sql: postgres.Sql) => {
  let entered: () => void = () => {};
  let release: () => void = () => {};
  const inside = new Promise<void>((resolve) => (entered = resolve));
  const released = new Promise<void>((resolve) => (release = resolve));
  const inner = makePostgresMatchingStore(sql);
  const store = MatchingStore.of({
    ...inner,
    runBatch: (runId, now, matchesExpireAt, plan) =>
      inner.runBatch(runId, now, matchesExpireAt, (input) =>
        Effect.promise(async () => {
          entered();
          await released;
        }).pipe(Effect.flatMap(() => plan(input))),
      ),
  });
  return { layer: Layer.succeed(MatchingStore, store), inside, release };
};

const snapshot = () =>
  db.sql`select (select count(*)::int from matches) as matches, (select count(*)::int from matching_runs) as runs,
    (select coalesce(sum(tier), 0)::int from pool_entries) as tiers, (select count(*)::int from pool_entries) as pooled,
    (select count(*)::int from intentions where ended_at is not null) as ended`;

describe("postgres matching batch", () => {
  it("two matchers started together: one completes, the other is locked out, nobody is matched twice", async () => {
    await seedPool(makePostgresMatchingStore(db.sql), randomPool(1, 200, NOW));
    const gated = gatedStore(db.sql);
    const first = matchingHarness(db, NOW.toISOString(), { store: gated.layer });
    const second = matchingHarness(db, NOW.toISOString());
    const running = first.run(runMatcher());
    await gated.inside;
    const locked = await second.run(runMatcher());
    gated.release();
    const completed = await running;
    expect(locked).toMatchObject({ status: "skipped_locked", pool_size: 0, pairs_created: 0 });
    expect(completed.status).toBe("completed");
    expect(completed.pairs_created).toBeGreaterThan(20);
    expect(await violations(db)).toEqual(CLEAN);
    const runs = await db.sql`select status from matching_runs order by status`;
    expect(runs.map((r) => r.status)).toEqual(["completed", "skipped_locked"]);
    // The lock went with the transaction: the next run takes it.
    expect((await second.run(runMatcher())).status).toBe("completed");
  });

  it("a batch failing mid-write or a planner dying leaves no partial batch and frees the lock", async () => {
    await seedPool(makePostgresMatchingStore(db.sql), randomPool(2, 60, NOW));
    const { run } = matchingHarness(db, NOW.toISOString());
    await run(runMatcher());
    const before = await snapshot();
    const [taken] = await db.sql<{ intention_a: string; intention_b: string; user_a: string; user_b: string }[]>`
      select intention_a, intention_b, user_a, user_b from matches limit 1`;
    const pooled = await db.sql<{ intention_id: string; user_id: string }[]>`
      select intention_id, user_id from pool_entries order by joined_at limit 4`;
    expect(taken && pooled.length === 4).toBe(true);
    const [p0, p1, p2, p3] = [0, 1, 2, 3].map((i) => pooled[i] as (typeof pooled)[number]) as [Row, Row, Row, Row];
    const pair = (a: Row, b: Row) => ({
      ...{ a: a.intention_id, b: b.intention_id, userA: a.user_id, userB: b.user_id },
      ...{ score: 0.5, tier: 0 as const, matched_on: [], relaxed: [] },
    });
    // Expiries, promotions and a good pair first, then a pair that was already matched: the unique key refuses it.
    const bad: BatchPlan = {
      pairs: [pair(p0, p1), { ...pair(p2, p3), userA: taken?.user_a ?? "", userB: taken?.user_b ?? "" }],
      expired: [p2.intention_id],
      promoted: [{ id: p3.intention_id, tier: 2 }],
      figures: { ...emptyFigures, pool_size: 60 },
    };
    const store = makePostgresMatchingStore(db.sql);
    const failed = await Effect.runPromise(
      Effect.flip(store.runBatch(crypto.randomUUID(), NOW, WEEK_LATER, () => Effect.succeed(bad))),
    );
    expect(failed._tag).toBe("DependencyUnavailable");
    expect(await snapshot()).toEqual(before);
    const died = await Effect.runPromiseExit(
      store.runBatch(crypto.randomUUID(), NOW, WEEK_LATER, () => Effect.die(new Error("planner bug"))),
    );
    expect(died._tag).toBe("Failure");
    expect(await snapshot()).toEqual(before);
    expect((await run(runMatcher())).status).toBe("completed");
  });

  it("over rounds of batches, declines and the clock: promotion and expiry persist, invariants hold", async () => {
    const entries = randomPool(3, 300, NOW);
    await seedPool(makePostgresMatchingStore(db.sql), entries);
    const { run, clock } = matchingHarness(db, NOW.toISOString());
    const first = await run(runMatcher());
    const expected = entries.map((e) => tierAt(defaultPolicy, e.joinedAt, NOW));
    expect(first.expired).toBe(expected.filter((t) => t === "expired").length);
    const earned = (i: number) => expected[i] !== "expired" && (expected[i] as number) > (entries[i]?.tier ?? 0);
    expect(first.promoted).toBe(entries.filter((_, i) => earned(i)).length);
    expect(first.promoted).toBeGreaterThan(0);
    // Waiting entries carry the tier their waiting earned (a stored tier never goes down).
    const stored = new Map(
      entries.map((e, i) => [e.userId, Math.max(e.tier, Number(expected[i] === "expired" ? 0 : expected[i]))]),
    );
    const tiers = await db.sql<{ user_id: string; tier: number }[]>`select user_id, tier from pool_entries`;
    expect(tiers.length).toBeGreaterThan(0);
    for (const row of tiers) expect(row.tier).toBe(stored.get(row.user_id));
    for (let round = 0; round < 4; round++) {
      const proposed = await db.sql<{ id: string; user_a: string }[]>`
        select id, user_a from matches where status = 'proposed' order by id limit 5`;
      for (const m of proposed) await run(respondToMatch(m.user_a, m.id, "decline"));
      clock.advance(3 * HOUR);
      await run(runMatcher());
      expect(await violations(db)).toEqual(CLEAN);
    }
    const [expiredLeft] =
      await db.sql`select count(*)::int as n from pool_entries where joined_at <= ${new Date(clock.now().getTime() - 72 * HOUR).toISOString()}`;
    expect(expiredLeft?.n).toBe(0);
  });

  it("a pair whose entry leaves the pool while the batch plans is dropped; the partner keeps waiting", async () => {
    const chips = { activities: ["coffee"], when: ["sat-evening" as const], where: "Palo Alto" };
    const gated = gatedStore(db.sql);
    const h = matchingHarness(db, NOW.toISOString(), { store: gated.layer });
    const { putIntention, getIntention } = await import("../../../core/matching/usecases.ts");
    await h.run(putIntention("stays", { chips }));
    await h.run(putIntention("leaves", { chips }));
    const running = h.run(runMatcher());
    await gated.inside;
    await h.run(leavePool("leaves"));
    gated.release();
    expect(await running).toMatchObject({ status: "completed", pool_size: 2, pairs_created: 0 });
    expect((await h.fail(currentMatch("stays")))._tag).toBe("NotFound");
    expect((await h.run(getIntention("stays"))).pool).toBeDefined();
    const [row] = await db.sql`select pairs_dropped from matching_runs`;
    expect(row?.pairs_dropped).toBe(1);
  });

  it("loads and stores a batch in the same number of statements whatever the pool size", async () => {
    const statementsFor = async (size: number, seed: number) => {
      await truncateMatching(db);
      await seedPool(makePostgresMatchingStore(db.sql), randomPool(seed, size, NOW));
      let count = 0;
      const counted = postgres(url, { max: 1, onnotice: () => {}, debug: () => void count++ });
      try {
        const { run } = matchingHarness(db, NOW.toISOString(), {
          store: Layer.succeed(MatchingStore, makePostgresMatchingStore(counted)),
        });
        expect((await run(runMatcher())).pairs_created).toBeGreaterThan(0);
        return count;
      } finally {
        await counted.end();
      }
    };
    expect(await statementsFor(200, 4)).toBe(await statementsFor(20, 5));
  });
});

type Row = { intention_id: string; user_id: string };

const emptyFigures: BatchPlan["figures"] = {
  pool_size: 0,
  expired: 0,
  promoted: 0,
  candidate_edges: 0,
  pairs_created: 0,
  by_tier: { "0": 0, "1": 0, "2": 0 },
  total_score: 0,
  greedy_total_score: 0,
};
