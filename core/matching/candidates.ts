import { type BlockedPairs, isBlocked, TIME_WINDOWS, type Tier } from "./model.ts";
import type { Edge } from "./pairing.ts";
import type { MatchingPolicy } from "./policy.ts";
import { adjacentWindows, mustHave, type Places, type Profile } from "./profile.ts";
import { pairTier, scoreProfiles } from "./score.ts";

/**
 * Candidate generation without scoring all pairs. Entries are blocked by the hard filters the tiers relax: an
 * entry looks only in the cities its tier allows (its own; adjacent ones from tier 1; its region from tier 2),
 * and there only at entries sharing a time window (adjacent windows from tier 2), through postings keyed by
 * city and window, visiting first those that also share an activity. It scores at most `scanLimit` of them and
 * keeps its `candidatesPerEntry` best. The edges are the union of every entry's best.
 */

export interface CandidateEdge extends Edge {
  readonly tier: Tier;
}

const windowIndexes = (mask: number): number[] => TIME_WINDOWS.flatMap((_, i) => (mask & (1 << i) ? [i] : []));

/** Postings: `city|window` and `city|window|activity` -> profile indexes, in index (waiting) order. */
const buildIndex = (profiles: readonly Profile[]) => {
  const postings = new Map<string, number[]>();
  const add = (key: string, index: number) => {
    const list = postings.get(key);
    if (list) list.push(index);
    else postings.set(key, [index]);
  };
  profiles.forEach((p, index) => {
    for (const w of windowIndexes(p.windows)) {
      add(`${p.city}|${w}`, index);
      for (const activity of p.activities) add(`${p.city}|${w}|${activity}`, index);
    }
  });
  return postings;
};

/** The cities an entry may be paired in at its own tier (the partner's tier is checked when scoring). */
const reachableCities = (p: Profile, places: Places): string[] => {
  if (mustHave(p, "where") || p.tier === 0) return [p.city];
  const cities = new Set([p.city, ...(places.adjacent.get(p.city) ?? [])]);
  const region = places.regionOf.get(p.city);
  if (p.tier >= 2 && region !== undefined) for (const c of places.citiesIn.get(region) ?? []) cities.add(c);
  return [...cities];
};

/** The k best candidates so far, best first; equal scores keep the earlier (longer-waiting) candidate. */
class TopK {
  readonly indexes: number[] = [];
  readonly scores: number[] = [];
  constructor(private readonly k: number) {}
  get floor(): number {
    return this.indexes.length < this.k ? Number.NEGATIVE_INFINITY : (this.scores[this.k - 1] as number);
  }
  offer(index: number, score: number): void {
    if (score <= this.floor) return;
    let at = this.scores.length;
    while (at > 0 && (this.scores[at - 1] as number) < score) at--;
    this.indexes.splice(at, 0, index);
    this.scores.splice(at, 0, score);
    if (this.indexes.length > this.k) {
      this.indexes.pop();
      this.scores.pop();
    }
  }
}

export const generateCandidates = (
  profiles: readonly Profile[],
  blocked: BlockedPairs,
  policy: MatchingPolicy,
  places: Places,
): CandidateEdge[] => {
  const postings = buildIndex(profiles);
  const stamp = new Int32Array(profiles.length).fill(-1);
  const n = profiles.length;
  const edges = new Map<number, CandidateEdge>();
  profiles.forEach((p, self) => {
    const top = new TopK(policy.candidatesPerEntry);
    let scanned = 0;
    const visit = (list: readonly number[] | undefined) => {
      if (!list) return;
      for (const other of list) {
        if (scanned >= policy.scanLimit) return;
        if (other === self || stamp[other] === self) continue;
        stamp[other] = self;
        scanned++;
        const q = profiles[other] as Profile;
        const tier = pairTier(p.tier, q.tier);
        const score = scoreProfiles(p, q, tier, policy, places);
        if (score < policy.threshold || score <= top.floor) continue;
        if (isBlocked(blocked, p.entry.userId, q.entry.userId)) continue;
        top.offer(other, score);
      }
    };
    const own = windowIndexes(p.windows);
    const relaxedTime = p.tier >= 2 && !mustHave(p, "when");
    const near = relaxedTime ? windowIndexes(adjacentWindows(p.windows) & ~p.windows) : [];
    for (const city of reachableCities(p, places)) {
      for (const w of own) for (const activity of p.activities) visit(postings.get(`${city}|${w}|${activity}`));
      for (const w of own) visit(postings.get(`${city}|${w}`));
      for (const w of near) visit(postings.get(`${city}|${w}`));
    }
    top.indexes.forEach((other, i) => {
      const a = Math.min(self, other);
      const b = Math.max(self, other);
      const key = a * n + b;
      if (!edges.has(key)) {
        const tier = pairTier(p.tier, (profiles[other] as Profile).tier);
        edges.set(key, { a, b, score: top.scores[i] as number, tier });
      }
    });
  });
  return [...edges.values()];
};
