import { AGE_BANDS, type MustHaveKey, type PoolEntry, TIME_WINDOWS, type Tier } from "./model.ts";
import type { Geography, MatchingPolicy } from "./policy.ts";

/**
 * Scoring of one pair at one tier: the hard filters (gender preference, dealbreakers, must-haves in every tier;
 * city, time and age band relaxed by tier), then a weighted score in [0, 1] that explains itself.
 * Entries are turned into profiles once per batch (lower-cased chips, bit masks) so the hot loop allocates nothing.
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

const MUST_BIT: Record<MustHaveKey, number> = { who: 1, activities: 2, when: 4, where: 8, vibe: 16 };
const WINDOW_BIT = new Map<string, number>(TIME_WINDOWS.map((w, i) => [w, 1 << i]));
const ALL_WINDOWS = (1 << TIME_WINDOWS.length) - 1;

export interface Profile {
  readonly entry: PoolEntry;
  readonly tier: Tier;
  /** Interned ids and bit masks (see Interner) so the hot loop compares integers. */
  readonly user: number;
  readonly cityId: number;
  readonly activityMask: number;
  readonly vibeMask: number;
  readonly traitMask: number;
  readonly dealMask: number;
  readonly networkId: number;
  readonly genderId: number;
  readonly preferenceId: number;
  readonly city: string;
  readonly windows: number;
  readonly windowCount: number;
  readonly activities: readonly string[];
  readonly vibe: readonly string[];
  readonly traits: ReadonlySet<string>;
  readonly dealbreakers: readonly string[];
  readonly network: string | undefined;
  readonly age: number;
  readonly gender: string | undefined;
  readonly preference: string | undefined;
  readonly must: number;
  readonly embedding: Float64Array | undefined;
}

/** Places: adjacency (made symmetric) and regions, lower-cased. */
export interface Places {
  readonly adjacent: ReadonlyMap<string, ReadonlySet<string>>;
  readonly regionOf: ReadonlyMap<string, string>;
  readonly citiesIn: ReadonlyMap<string, readonly string[]>;
}

const norm = (value: string): string => value.trim().toLowerCase();

export const placesOf = (geography: Geography): Places => {
  const adjacent = new Map<string, Set<string>>();
  const link = (a: string, b: string) => {
    if (a === b) return;
    adjacent.set(a, (adjacent.get(a) ?? new Set()).add(b));
  };
  for (const [city, others] of Object.entries(geography.adjacent)) {
    for (const other of others) {
      link(norm(city), norm(other));
      link(norm(other), norm(city));
    }
  }
  const regionOf = new Map<string, string>();
  const citiesIn = new Map<string, string[]>();
  for (const [city, region] of Object.entries(geography.regions)) {
    regionOf.set(norm(city), norm(region));
    citiesIn.set(norm(region), [...(citiesIn.get(norm(region)) ?? []), norm(city)]);
  }
  return { adjacent, regionOf, citiesIn };
};

const popcount = (x: number): number => {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
};

/** The windows next to any of `mask` (the previous and next half-day, cyclically). */
export const adjacentWindows = (mask: number): number =>
  ((mask << 1) | (mask >>> (TIME_WINDOWS.length - 1)) | ((mask >>> 1) | (mask << (TIME_WINDOWS.length - 1)))) &
  ALL_WINDOWS;

const unitVector = (values: readonly number[] | undefined): Float64Array | undefined => {
  if (!values || values.length === 0) return undefined;
  let sum = 0;
  for (const v of values) sum += v * v;
  if (!(sum > 0) || !Number.isFinite(sum)) return undefined;
  const length = Math.sqrt(sum);
  return Float64Array.from(values, (v) => v / length);
};

/**
 * Chip values as small integers, per batch. A value's bit is its id while ids fit in 31 bits; later values share
 * the overflow bit, and a comparison that meets it falls back to comparing strings, so masks are an exact fast
 * path for the usual small vocabularies and never wrong for large ones.
 */
export class Interner {
  private readonly ids = new Map<string, number>();
  id(kind: string, value: string): number {
    const key = `${kind}:${value}`;
    let id = this.ids.get(key);
    if (id === undefined) {
      id = this.ids.size;
      this.ids.set(key, id);
    }
    return id;
  }
  private readonly perKind = new Map<string, Map<string, number>>();
  bit(kind: string, value: string): number {
    let kindIds = this.perKind.get(kind);
    if (!kindIds) {
      kindIds = new Map();
      this.perKind.set(kind, kindIds);
    }
    let id = kindIds.get(value);
    if (id === undefined) {
      id = kindIds.size;
      kindIds.set(value, id);
    }
    return id < 31 ? 1 << id : OVERFLOW;
  }
  mask(kind: string, values: readonly string[]): number {
    return values.reduce((mask, value) => mask | this.bit(kind, value), 0);
  }
}
const OVERFLOW = 1 << 31;

export const profileOf = (entry: PoolEntry, tier: Tier, interner: Interner): Profile => {
  const { chips } = entry;
  const activities = [...new Set(chips.activities.map(norm))].sort();
  const vibe = [...new Set((chips.vibe ?? []).map(norm))].sort();
  const network = chips.who?.network === undefined ? undefined : norm(chips.who.network);
  const windows = chips.when.reduce((mask, w) => mask | (WINDOW_BIT.get(w) ?? 0), 0);
  const preference = chips.who?.gender_preference === undefined ? undefined : norm(chips.who.gender_preference);
  const gender = chips.who?.gender === undefined ? undefined : norm(chips.who.gender);
  const dealbreakers = (chips.dealbreakers ?? []).map(norm);
  const optionalId = (value: string | undefined) => (value === undefined ? -1 : interner.id("value", value));
  return {
    entry,
    tier,
    user: interner.id("user", entry.userId),
    cityId: interner.id("city", norm(chips.where)),
    activityMask: interner.mask("activity", activities),
    vibeMask: interner.mask("vibe", vibe),
    traitMask: interner.mask("trait", [...activities, ...vibe, ...(network === undefined ? [] : [network])]),
    dealMask: interner.mask("trait", dealbreakers),
    networkId: optionalId(network),
    genderId: optionalId(gender),
    preferenceId: optionalId(preference === "any" ? undefined : preference),
    city: norm(chips.where),
    windows,
    windowCount: popcount(windows),
    activities,
    vibe,
    traits: new Set([...activities, ...vibe, ...(network === undefined ? [] : [network])]),
    dealbreakers,
    network,
    age: chips.who?.age_band === undefined ? -1 : AGE_BANDS.indexOf(chips.who.age_band),
    gender,
    preference: preference === "any" ? undefined : preference,
    must: (chips.must_haves ?? []).reduce((mask, key) => mask | MUST_BIT[key], 0),
    embedding: unitVector(entry.embedding),
  };
};

export const mustHave = (p: Profile, key: MustHaveKey): boolean => (p.must & MUST_BIT[key]) !== 0;
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

/** How close two cities are: 1 same, 0.5 adjacent, 0.25 same region, 0 otherwise. */
export const closeness = (places: Places, a: string, b: string): number => {
  if (a === b) return 1;
  if (places.adjacent.get(a)?.has(b)) return 0.5;
  const region = places.regionOf.get(a);
  return region !== undefined && region === places.regionOf.get(b) ? 0.25 : 0;
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
