import { generateCandidates } from "./candidates.ts";
import type { BlockedPairs, PoolEntry, Tier } from "./model.ts";
import { improvedPairing } from "./pairing.ts";
import { type MatchingPolicy, tierAt } from "./policy.ts";
import { Interner, placesOf, profileOf } from "./profile.ts";
import { type Explanation, scoreProfiles } from "./score.ts";

/**
 * One batch, as a pure function of the pool, the past pairs, the policy and the clock: expire entries past
 * their time, promote the rest to the tier their waiting time earns, generate candidates, pair them.
 */

export interface PlannedPair {
  /** Entry (intention) ids; `a` waited longer (or equally long with the smaller id). */
  readonly a: string;
  readonly b: string;
  readonly userA: string;
  readonly userB: string;
  readonly score: number;
  readonly tier: Tier;
  readonly matched_on: readonly string[];
  readonly relaxed: readonly string[];
}

export interface BatchFigures {
  readonly pool_size: number;
  readonly expired: number;
  readonly promoted: number;
  readonly candidate_edges: number;
  readonly pairs_created: number;
  readonly by_tier: { readonly "0": number; readonly "1": number; readonly "2": number };
  readonly total_score: number;
  /** What plain greedy would have scored on the same edges, for comparison. */
  readonly greedy_total_score: number;
}

export interface BatchPlan {
  readonly pairs: PlannedPair[];
  /** Entry ids that expired (not paired). */
  readonly expired: string[];
  /** Entries whose tier went up, with the new tier. */
  readonly promoted: Array<{ readonly id: string; readonly tier: Tier }>;
  readonly figures: BatchFigures;
}

export interface BatchInput {
  readonly entries: readonly PoolEntry[];
  readonly blockedPairs: BlockedPairs;
  readonly policy: MatchingPolicy;
  readonly now: Date;
}

/** Longest waiting first, then id: the order that breaks ties everywhere downstream. */
const byWaiting = (x: PoolEntry, y: PoolEntry): number =>
  x.joinedAt.getTime() - y.joinedAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

export const planBatch = (input: BatchInput): BatchPlan => {
  const { policy, now } = input;
  const expired: string[] = [];
  const promoted: Array<{ id: string; tier: Tier }> = [];
  const live: Array<{ entry: PoolEntry; tier: Tier }> = [];
  for (const entry of [...input.entries].sort(byWaiting)) {
    const tier = tierAt(policy, entry.joinedAt, now);
    if (tier === "expired") {
      expired.push(entry.id);
      continue;
    }
    // A tier never goes down, even if the clock is set back.
    const effective = (tier > entry.tier ? tier : entry.tier) as Tier;
    if (effective > entry.tier) promoted.push({ id: entry.id, tier: effective });
    live.push({ entry, tier: effective });
  }
  const places = placesOf(policy.geography);
  const interner = new Interner();
  const profiles = live.map(({ entry, tier }) => profileOf(entry, tier, interner));
  const edges = generateCandidates(profiles, input.blockedPairs, policy, places);
  const improved = improvedPairing(profiles.length, edges, { exactComponentLimit: policy.exactComponentLimit });
  const byTier = { "0": 0, "1": 0, "2": 0 };
  const pairs = improved.pairs.map((edge): PlannedPair => {
    const a = profiles[Math.min(edge.a, edge.b)] as (typeof profiles)[number];
    const b = profiles[Math.max(edge.a, edge.b)] as (typeof profiles)[number];
    const tier = (a.tier < b.tier ? a.tier : b.tier) as Tier;
    const why: Explanation = { matched_on: [], relaxed: [] };
    const score = scoreProfiles(a, b, tier, policy, places, why);
    byTier[tier]++;
    return {
      a: a.entry.id,
      b: b.entry.id,
      userA: a.entry.userId,
      userB: b.entry.userId,
      score,
      tier,
      ...why,
    };
  });
  return {
    pairs,
    expired,
    promoted,
    figures: {
      pool_size: input.entries.length,
      expired: expired.length,
      promoted: promoted.length,
      candidate_edges: edges.length,
      pairs_created: pairs.length,
      by_tier: byTier,
      total_score: improved.total,
      greedy_total_score: improved.greedyTotal,
    },
  };
};
