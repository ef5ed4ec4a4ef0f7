import {
  type CandidateEdge,
  type Edge,
  generateCandidates,
  Interner,
  type MatchingPolicy,
  type PoolEntry,
  type Profile,
  pairTier,
  placesOf,
  policyFrom,
  profileOf,
  scoreProfiles,
  type Tier,
  tierAt,
} from "../../core/matching/index.ts";
import { maxWeightMatching } from "./exact.ts";
import type { Pool } from "./generator.ts";

/**
 * The pieces the benchmark compares on one pool: the core's candidate edges (as planBatch builds them), the old
 * product's all-pairs edges, and the exact maximum-weight matching on any edge set.
 */

export const benchPolicy = (pool: Pool): MatchingPolicy => policyFrom({ geography: pool.geography });

const byWaiting = (x: PoolEntry, y: PoolEntry): number =>
  x.joinedAt.getTime() - y.joinedAt.getTime() || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);

/** The batch's vertices: live entries, longest waiting first, at the tier their waiting earns (as planBatch). */
export const profilesFor = (pool: Pool, policy: MatchingPolicy): Profile[] => {
  const interner = new Interner();
  return [...pool.entries].sort(byWaiting).flatMap((entry) => {
    const tier = tierAt(policy, entry.joinedAt, pool.now);
    if (tier === "expired") return [];
    return [profileOf(entry, (tier > entry.tier ? tier : entry.tier) as Tier, interner)];
  });
};

export const candidateEdges = (pool: Pool, policy: MatchingPolicy, profiles: readonly Profile[]): CandidateEdge[] =>
  generateCandidates(profiles, pool.blocked, policy, placesOf(policy.geography));

/**
 * The old product's edges: every pair scored (at the lower tier of the two), kept when allowed, over the
 * threshold and never declined. O(n^2) scores.
 */
export const allPairsEdges = (pool: Pool, policy: MatchingPolicy, profiles: readonly Profile[]): Edge[] => {
  const places = placesOf(policy.geography);
  const edges: Edge[] = [];
  for (let a = 0; a < profiles.length; a++) {
    const p = profiles[a] as Profile;
    for (let b = a + 1; b < profiles.length; b++) {
      const q = profiles[b] as Profile;
      const score = scoreProfiles(p, q, pairTier(p.tier, q.tier), policy, places);
      if (score < policy.threshold) continue;
      if (pool.blocked(p.entry.userId, q.entry.userId)) continue;
      edges.push({ a, b, score });
    }
  }
  return edges;
};

/** Integer weights keep the blossom algorithm exact; a millionth of a point is far below any score difference. */
const SCALE = 1_000_000;

/** The maximum-weight matching on `edges`: its total (in the edges' own scores) and pair count. */
export const exactPairing = (edges: readonly Edge[]): { total: number; pairs: number } => {
  const weightOf = new Map<string, number>();
  const mate = maxWeightMatching(edges.map((e) => [e.a, e.b, Math.round(e.score * SCALE)] as const));
  for (const e of edges) weightOf.set(`${Math.min(e.a, e.b)}-${Math.max(e.a, e.b)}`, e.score);
  let total = 0;
  let pairs = 0;
  mate.forEach((u, v) => {
    if (u > v) {
      total += weightOf.get(`${v}-${u}`) ?? 0;
      pairs++;
    }
  });
  return { total, pairs };
};
