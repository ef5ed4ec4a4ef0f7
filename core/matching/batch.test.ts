import { describe, expect, it } from "vitest";
import { planBatch } from "./batch.ts";
import { isBlocked, type PoolEntry, pairKey, type Tier } from "./model.ts";
import { defaultPolicy, type MatchingPolicy, tierAt } from "./policy.ts";
import { pairTier, scorePair } from "./score.ts";
import { randomPool, seeded, TEST_GEOGRAPHY } from "./testing.ts";

const NOW = new Date("2026-11-23T12:00:00.000Z");
const policy: MatchingPolicy = { ...defaultPolicy, geography: TEST_GEOGRAPHY };

/** Every allowed pair with its score, by brute force over all pairs (no blocking, no top-k). */
const allPairs = (entries: readonly PoolEntry[], blocked: ReadonlySet<string>, p: MatchingPolicy) => {
  const live = entries.flatMap((entry) => {
    const tier = tierAt(p, entry.joinedAt, NOW);
    return tier === "expired" ? [] : [{ entry, tier: Math.max(tier, entry.tier) as Tier }];
  });
  const edges: Array<{ i: number; j: number; score: number }> = [];
  for (let i = 0; i < live.length; i++) {
    for (let j = i + 1; j < live.length; j++) {
      const x = live[i] as (typeof live)[number];
      const y = live[j] as (typeof live)[number];
      if (isBlocked(blocked, x.entry.userId, y.entry.userId)) continue;
      const scored = scorePair(x.entry, y.entry, p, pairTier(x.tier, y.tier));
      if (scored) edges.push({ i, j, score: scored.score });
    }
  }
  return { n: live.length, edges };
};

/** The maximum-weight matching's total, by trying every matching (n <= 12). */
const bruteForceOptimum = (n: number, edges: ReadonlyArray<{ i: number; j: number; score: number }>): number => {
  const weight = new Map(edges.map((e) => [e.i * n + e.j, e.score]));
  const best = (free: number): number => {
    if (free === 0) return 0;
    const i = 31 - Math.clz32(free & -free);
    const rest = free & ~(1 << i);
    let value = best(rest);
    for (let j = i + 1; j < n; j++) {
      const w = weight.get(i * n + j);
      if (w !== undefined && rest & (1 << j)) value = Math.max(value, w + best(rest & ~(1 << j)));
    }
    return value;
  };
  return best((1 << n) - 1);
};

const randomBlocked = (entries: readonly PoolEntry[], seed: number): Set<string> => {
  const rng = seeded(seed);
  const blocked = new Set<string>();
  for (const a of entries)
    for (const b of entries) if (a.id < b.id && rng.next() < 0.1) blocked.add(pairKey(a.userId, b.userId));
  return blocked;
};

describe("planBatch", () => {
  it("equals the brute-force optimum on small pools (n <= 12), over many seeded pools", () => {
    let nonTrivial = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const n = 2 + (seed % 11);
      const entries = randomPool(seed, n, NOW, { embeddings: seed % 3 === 0 ? 4 : 0 });
      const blocked = randomBlocked(entries, seed);
      const plan = planBatch({ entries, blockedPairs: blocked, policy, now: NOW });
      const { n: live, edges } = allPairs(entries, blocked, policy);
      const optimum = bruteForceOptimum(live, edges);
      expect(plan.figures.total_score, `seed ${seed}`).toBeCloseTo(optimum, 9);
      expect(plan.figures.total_score).toBeGreaterThanOrEqual(plan.figures.greedy_total_score - 1e-9);
      if (optimum > plan.figures.greedy_total_score + 1e-9) nonTrivial++;
    }
    // The pools are rich enough that greedy is sometimes beaten: the comparison is not vacuous.
    expect(nonTrivial).toBeGreaterThan(0);
  });

  it("never puts a user in two pairs and never re-pairs a blocked pair, on larger pools", () => {
    for (let seed = 1000; seed < 1010; seed++) {
      const entries = randomPool(seed, 300, NOW);
      const blocked = randomBlocked(entries.slice(0, 60), seed);
      const plan = planBatch({ entries, blockedPairs: (a, b) => blocked.has(pairKey(a, b)), policy, now: NOW });
      const users = plan.pairs.flatMap((pair) => [pair.userA, pair.userB]);
      expect(new Set(users).size).toBe(users.length);
      for (const pair of plan.pairs) expect(blocked.has(pairKey(pair.userA, pair.userB))).toBe(false);
      expect(plan.figures.total_score).toBeGreaterThanOrEqual(plan.figures.greedy_total_score - 1e-9);
      expect(plan.pairs.length).toBeGreaterThan(0);
    }
  });

  it("pairs only allowed pairs: every pair rescores at its tier, and must-haves and dealbreakers hold", () => {
    for (let seed = 2000; seed < 2010; seed++) {
      const entries = randomPool(seed, 200, NOW);
      const byId = new Map(entries.map((e) => [e.id, e]));
      const plan = planBatch({ entries, blockedPairs: new Set(), policy, now: NOW });
      for (const pair of plan.pairs) {
        const a = byId.get(pair.a) as PoolEntry;
        const b = byId.get(pair.b) as PoolEntry;
        expect(scorePair(a, b, policy, pair.tier)?.score).toBeCloseTo(pair.score, 12);
        for (const [x, y] of [
          [a, b],
          [b, a],
        ] as const) {
          const must = x.chips.must_haves ?? [];
          if (must.includes("where")) expect(y.chips.where).toBe(x.chips.where);
          if (must.includes("when")) expect(x.chips.when.some((w) => y.chips.when.includes(w))).toBe(true);
          if (must.includes("activities")) {
            expect(x.chips.activities.some((act) => y.chips.activities.includes(act))).toBe(true);
          }
          if (must.includes("who")) expect(y.chips.who?.network).toBe(x.chips.who?.network);
          const traits = [...y.chips.activities, ...(y.chips.vibe ?? []), y.chips.who?.network];
          for (const d of x.chips.dealbreakers ?? []) expect(traits).not.toContain(d);
          const preference = x.chips.who?.gender_preference;
          if (preference && preference !== "any") expect(y.chips.who?.gender).toBe(preference);
        }
      }
    }
  });

  it("expires entries after 72 hours and promotes by waiting time, never demotes", () => {
    const rng = seeded(7);
    const at = (hoursAgo: number, tier: Tier, id: string): PoolEntry =>
      ({
        ...randomPool(7, 1, NOW)[0],
        id,
        userId: `user-${id}`,
        joinedAt: new Date(NOW.getTime() - hoursAgo * 3_600_000),
        tier,
      }) as PoolEntry;
    expect(rng.next()).toBeLessThan(1);
    const entries = [at(1, 0, "fresh"), at(30, 0, "day"), at(50, 0, "two-days"), at(72, 2, "gone"), at(10, 1, "kept")];
    const plan = planBatch({ entries, blockedPairs: new Set(), policy, now: NOW });
    expect(plan.expired).toEqual(["gone"]);
    expect(plan.promoted).toEqual([
      { id: "two-days", tier: 2 },
      { id: "day", tier: 1 },
    ]);
    expect(plan.figures).toMatchObject({ pool_size: 5, expired: 1, promoted: 2 });
  });
});
