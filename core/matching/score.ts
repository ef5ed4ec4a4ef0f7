import type { PoolEntry, Tier } from "./model.ts";
import type { Geography, MatchingPolicy } from "./policy.ts";
import {
  adjacentWindows,
  closeness,
  Interner,
  MUST_BIT,
  OVERFLOW,
  type Places,
  type Profile,
  placesOf,
  popcount,
  profileOf,
} from "./profile.ts";

/**
 * Scoring of one pair at one tier: the hard filters (gender preference, dealbreakers, must-haves in every tier;
 * city, time and age band relaxed by tier), then a weighted score in [0, 1] that explains itself. It compares
 * profiles (profile.ts), made once per batch, so the hot loop allocates nothing.
 */

/** Why a pair scored as it did: the chip groups it matched on, and the tier-0 rules relaxed to allow it. */
export interface Explanation {
  readonly matched_on: string[];
  readonly relaxed: string[];
}

export interface Scored extends Explanation {
  readonly score: number;
  readonly tier: Tier;
}

const WHO = MUST_BIT.who;
const ACTIVITIES = MUST_BIT.activities;
const WHEN = MUST_BIT.when;
const WHERE = MUST_BIT.where;
const VIBE = MUST_BIT.vibe;

const shared = (a: readonly string[], b: readonly string[]): number => {
  let count = 0;
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    const x = a[i] as string;
    const y = b[j] as string;
    if (x === y) {
      count++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return count;
};

/** Values both masks hold, exactly: by bits when neither overflowed, else by the strings. */
const common = (maskA: number, maskB: number, a: readonly string[], b: readonly string[]): number =>
  (maskA | maskB) & OVERFLOW ? shared(a, b) : popcount(maskA & maskB);

const accepts = (p: Profile, other: Profile): boolean => {
  if (p.preferenceId !== -1 && other.genderId !== p.preferenceId) return false;
  if (p.dealMask !== 0 && p.dealMask & other.traitMask) {
    if (!((p.dealMask | other.traitMask) & OVERFLOW)) return false;
    for (const d of p.dealbreakers) if (other.traits.has(d)) return false;
  }
  if (p.must & WHO) {
    if (p.networkId !== -1 && other.networkId !== p.networkId) return false;
    if (p.age >= 0 && other.age !== p.age) return false;
  }
  return true;
};

/**
 * The score of a pair at `tier` (the lower tier of the two: each side accepts only its own relaxations), or -1
 * when a hard rule forbids the pair. Pass `why` to collect the explanation (the batch does only for chosen pairs).
 */
export const scoreProfiles = (
  a: Profile,
  b: Profile,
  tier: Tier,
  policy: MatchingPolicy,
  places: Places,
  why?: Explanation,
): number => {
  if (a.user === b.user) return -1;
  if (!accepts(a, b) || !accepts(b, a)) return -1;
  // where
  const location = a.cityId === b.cityId ? 1 : closeness(places, a.city, b.city);
  if (location < 1) {
    if ((a.must | b.must) & WHERE) return -1;
    if (location === 0.5 ? tier < 1 : location === 0.25 ? tier < 2 : true) return -1;
    why?.relaxed.push(location === 0.5 ? "where:adjacent_area" : "where:region");
  }
  // when
  const commonWindows = popcount(a.windows & b.windows);
  let time = commonWindows / Math.min(a.windowCount, b.windowCount);
  if (commonWindows === 0) {
    if ((a.must | b.must) & WHEN || tier < 2) return -1;
    if ((adjacentWindows(a.windows) & b.windows) === 0) return -1;
    why?.relaxed.push("when:adjacent_window");
    time = 0.25;
  }
  // who: age bands
  let agePart = 0.5;
  if (a.age >= 0 && b.age >= 0) {
    const gap = Math.abs(a.age - b.age);
    if (gap > 1 || (gap === 1 && tier < 1)) return -1;
    if (gap === 1) why?.relaxed.push("who:age_band");
    agePart = gap === 0 ? 1 : 0.5;
  }
  const networkPart = a.networkId !== -1 && b.networkId !== -1 ? (a.networkId === b.networkId ? 1 : 0) : 0.5;
  // activities and vibe
  const commonActivities = common(a.activityMask, b.activityMask, a.activities, b.activities);
  if (commonActivities === 0 && (a.must | b.must) & ACTIVITIES) return -1;
  const commonVibe = common(a.vibeMask, b.vibeMask, a.vibe, b.vibe);
  if (commonVibe === 0 && ((a.must & VIBE && a.vibe.length > 0) || (b.must & VIBE && b.vibe.length > 0))) {
    return -1;
  }
  const w = policy.weights;
  const who = (agePart + networkPart) / 2;
  const activities = commonActivities / (a.activities.length + b.activities.length - commonActivities);
  const sameCity = location === 1 ? 1 : 0;
  const allCommon = commonActivities + commonVibe + commonWindows + sameCity;
  const allUnion =
    a.activities.length + b.activities.length + a.vibe.length + b.vibe.length + a.windowCount + b.windowCount + 2;
  const intention = allCommon / (allUnion - allCommon);
  let total = w.who * who + w.intention * intention + w.time * time + w.location * location + w.activities * activities;
  let weights = w.who + w.intention + w.time + w.location + w.activities;
  if (a.vibe.length > 0 && b.vibe.length > 0) {
    total += (w.vibe * commonVibe) / (a.vibe.length + b.vibe.length - commonVibe);
    weights += w.vibe;
  }
  let cosine = 0;
  if (a.embedding && b.embedding && a.embedding.length === b.embedding.length) {
    for (let i = 0; i < a.embedding.length; i++) cosine += (a.embedding[i] as number) * (b.embedding[i] as number);
    total += w.embedding * Math.max(0, cosine);
    weights += w.embedding;
  }
  let score = weights > 0 ? total / weights : 0;
  if (tier === 0 && time < policy.lowTimeOverlap.below) score *= policy.lowTimeOverlap.factor;
  if (why) {
    if (who >= 0.75) why.matched_on.push("who");
    if (commonActivities > 0) why.matched_on.push("activities");
    if (commonWindows > 0) why.matched_on.push("when");
    if (location === 1) why.matched_on.push("where");
    if (commonVibe > 0) why.matched_on.push("vibe");
    if (cosine >= 0.5) why.matched_on.push("embedding");
  }
  return score;
};

const placesCache = new WeakMap<Geography, Places>();
const cachedPlaces = (geography: Geography): Places => {
  const known = placesCache.get(geography);
  if (known) return known;
  const places = placesOf(geography);
  placesCache.set(geography, places);
  return places;
};

/** The pair's tier: each side accepts only the relaxations of its own tier. */
export const pairTier = (a: Tier, b: Tier): Tier => (a < b ? a : b);

/**
 * The score of `a` and `b` at `tier` with its explanation, or undefined when a hard rule forbids the pair or the
 * score is under the threshold. Convenient, not fast: the batch scores profiles directly.
 */
export const scorePair = (a: PoolEntry, b: PoolEntry, policy: MatchingPolicy, tier: Tier): Scored | undefined => {
  const why: Explanation = { matched_on: [], relaxed: [] };
  const interner = new Interner();
  const score = scoreProfiles(
    profileOf(a, tier, interner),
    profileOf(b, tier, interner),
    tier,
    policy,
    cachedPlaces(policy.geography),
    why,
  );
  return score >= policy.threshold ? { score, tier, ...why } : undefined;
};
