import * as Effect from "effect/Effect";
import postgres from "postgres";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Chips } from "../../../core/matching/model.ts";
import {
  currentMatch,
  getIntention,
  giveFeedback,
  leavePool,
  putIntention,
  rankCandidates,
  respondToMatch,
  runMatcher,
} from "../../../core/matching/usecases.ts";
import { freshDatabase } from "../../local-engines/testing.ts";
import { type DatabaseHandle, openDatabase } from "../client.ts";
import { makePostgresMatchingStore } from "./store.ts";
import { matchingHarness, truncateMatching, violations } from "./testing.ts";

let db: DatabaseHandle;
beforeAll(async () => {
  db = openDatabase({ url: await freshDatabase({ migrate: true }), max: 6 });
});
afterAll(() => db?.close());
beforeEach(() => truncateMatching(db));

const HOUR = 3_600_000;
const START = "2026-11-23T09:00:00.000Z";
const chips = (overrides: Partial<Chips> = {}): Chips => ({
  who: { network: "alumni", age_band: "25-34", gender_preference: "any" },
  activities: ["coffee", "board games"],
  when: ["sat-evening", "sun-daytime"],
  where: " Palo Alto ",
  vibe: ["chill"],
  must_haves: ["when"],
  dealbreakers: ["smoking"],
  ...overrides,
});

describe("postgres matching store", () => {
  it("round-trips an intention with its chips and embedding, replaces it, and leaves the pool", async () => {
    const { run, clock } = matchingHarness(db, START);
    const embedding = Array.from({ length: 64 }, (_, i) => (i % 7) / 7 - 0.25);
    const first = await run(putIntention("Zoë", { text: "board games?", chips: chips(), embedding }));
    expect(first.created).toBe(true);
    const read = await run(getIntention("Zoë"));
    expect(read.intention).toEqual(first.intention);
    expect(read.pool).toEqual({ tier: 0, joinedAt: new Date(START) });
    expect(read.match).toBeUndefined();
    clock.advance(HOUR);
    const second = await run(putIntention("Zoë", { chips: chips({ where: "Oakland" }) }));
    expect(second.created).toBe(false);
    expect((await run(getIntention("Zoë"))).intention).toEqual(second.intention);
    const rows = await db.sql`select end_reason from intentions where user_id = 'Zoë' order by created_at`;
    expect(rows.map((r) => r.end_reason)).toEqual(["replaced", null]);
    const [pooled] = await db.sql`select city, intention_id from pool_entries where user_id = 'Zoë'`;
    expect(pooled).toEqual({ city: "oakland", intention_id: second.intention.id });
    expect(await run(leavePool("Zoë"))).toBe(true);
    expect(await run(leavePool("Zoë"))).toBe(false);
    expect((await run(Effect.flip(getIntention("Zoë"))))._tag).toBe("NotFound");
  });

  it("matches, accepts on both sides, records feedback, and refuses strangers and unknown ids", async () => {
    const { run, fail } = matchingHarness(db, START);
    await run(putIntention("bob", { chips: chips() }));
    await run(putIntention("Alice", { chips: chips({ vibe: ["chatty"] }) }));
    const report = await run(runMatcher());
    expect(report).toMatchObject({ status: "completed", pool_size: 2, pairs_created: 1, by_tier: { "0": 1 } });
    const match = await run(currentMatch("bob"));
    // The database orders the pair by its own collation; either way both sides see the same match.
    expect(new Set([match.userA, match.userB])).toEqual(new Set(["Alice", "bob"]));
    expect((await run(currentMatch("Alice"))).id).toBe(match.id);
    expect(match.matchedOn).toEqual(expect.arrayContaining(["activities", "when", "where"]));
    expect((await run(getIntention("bob"))).pool).toBeUndefined();
    expect((await run(getIntention("bob"))).match?.id).toBe(match.id);
    expect((await fail(putIntention("bob", { chips: chips() })))._tag).toBe("Conflict");
    expect((await fail(respondToMatch("mallory", match.id, "accept")))._tag).toBe("Forbidden");
    expect((await fail(respondToMatch("bob", "not-a-uuid", "accept")))._tag).toBe("NotFound");
    expect((await fail(respondToMatch("bob", crypto.randomUUID(), "accept")))._tag).toBe("NotFound");
    expect((await run(respondToMatch("bob", match.id, "accept"))).status).toBe("proposed");
    expect((await run(respondToMatch("Alice", match.id, "accept"))).status).toBe("accepted");
    expect((await fail(respondToMatch("Alice", match.id, "decline")))._tag).toBe("Conflict");
    await run(giveFeedback("Alice", match.id, { matched_on: ["when"], was_accurate: true }));
    await run(giveFeedback("Alice", match.id, { matched_on: ["when", "where"], was_accurate: false }));
    expect((await fail(giveFeedback("mallory", match.id, { matched_on: [], was_accurate: true })))._tag).toBe(
      "Forbidden",
    );
    const feedback = await db.sql`select user_id, matched_on, was_accurate from match_feedback`;
    expect(feedback).toEqual([{ user_id: "Alice", matched_on: ["when", "where"], was_accurate: false }]);
    const [runRow] = await db.sql`select status, pool_size, pairs_created, pairs_tier_0 from matching_runs`;
    expect(runRow).toEqual({ status: "completed", pool_size: 2, pairs_created: 1, pairs_tier_0: 1 });
  });

  it("a decline re-pools both with their waiting time, blocks the pair forever, and candidates skip it", async () => {
    const { run, fail, clock } = matchingHarness(db, START);
    await run(putIntention("a", { chips: chips() }));
    await run(putIntention("b", { chips: chips() }));
    await run(putIntention("c", { chips: chips({ where: "Oakland" }) }));
    expect((await run(rankCandidates("a", {}))).map((c) => c.userId)).toEqual(["b"]);
    await run(runMatcher());
    const match = await run(currentMatch("a"));
    clock.advance(2 * HOUR);
    expect((await run(respondToMatch("b", match.id, "decline"))).status).toBe("declined");
    expect((await run(getIntention("a"))).pool).toEqual({ tier: 0, joinedAt: new Date(START) });
    expect((await run(getIntention("b"))).pool).toEqual({ tier: 0, joinedAt: new Date(START) });
    expect((await fail(currentMatch("a")))._tag).toBe("NotFound");
    expect(await db.sql`select user_id from match_declines`).toEqual([{ user_id: "b" }]);
    expect((await run(runMatcher())).pairs_created).toBe(0);
    expect(await run(rankCandidates("a", {}))).toEqual([]);
    await expect(
      db.sql`insert into matches (user_a, user_b, intention_a, intention_b, score, tier, matched_on, relaxed,
        created_at, expires_at, updated_at)
        select user_a, user_b, intention_a, intention_b, 1, 0, '{}', '{}', now(), now(), now() from matches`,
    ).rejects.toThrow(/matches_pair_key/);
    await expect(
      db.sql`insert into matches (user_a, user_b, intention_a, intention_b, score, tier, matched_on, relaxed,
        created_at, expires_at, updated_at)
        select user_b, user_a, intention_b, intention_a, 1, 0, '{}', '{}', now(), now(), now() from matches`,
    ).rejects.toThrow(/matches_ordered_pair/);
    expect(await violations(db)).toEqual({ double_matched: 0, matched_and_pooled: 0, repeated_pairs: 0 });
  });

  it("pings the database for health checks, and reports it unavailable when it is not there", async () => {
    await Effect.runPromise(makePostgresMatchingStore(db.sql).ping);
    const nowhere = postgres("postgres://nobody@127.0.0.1:1/none", { max: 1, connect_timeout: 2, onnotice: () => {} });
    try {
      const down = await Effect.runPromise(Effect.flip(makePostgresMatchingStore(nowhere).ping));
      expect(down).toMatchObject({ _tag: "DependencyUnavailable", dependency: "database" });
    } finally {
      await nowhere.end({ timeout: 1 });
    }
  });

  it("keeps one active intention per user in the database itself", async () => {
    const { run } = matchingHarness(db, START);
    await run(putIntention("solo", { chips: chips() }));
    await expect(
      db.sql`insert into intentions (id, user_id, chips, created_at) values (gen_random_uuid(), 'solo', '{}', now())`,
    ).rejects.toThrow(/intentions_one_active_per_user/);
  });
});
