import { AGE_BANDS, type Chips, type MustHaveKey, type PoolEntry, TIME_WINDOWS, type Tier } from "./model.ts";
import type { Geography } from "./policy.ts";

/**
 * Profiles: a pool entry turned, once per batch, into what the scorer compares: lower-cased chips, interned ids and
 * bit masks, so the hot loop compares integers and allocates nothing. Places: the geography the tiers relax over.
 */

export const MUST_BIT: Record<MustHaveKey, number> = { who: 1, activities: 2, when: 4, where: 8, vibe: 16 };
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

/** The city an entry is filed and looked up under (MatchingStore.poolIn): the scorer's own normalisation. */
export const cityOf = (chips: Chips): string => norm(chips.where);

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

export const popcount = (x: number): number => {
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
export const OVERFLOW = 1 << 31;

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
    city: cityOf(chips),
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

/** How close two cities are: 1 same, 0.5 adjacent, 0.25 same region, 0 otherwise. */
export const closeness = (places: Places, a: string, b: string): number => {
  if (a === b) return 1;
  if (places.adjacent.get(a)?.has(b)) return 0.5;
  const region = places.regionOf.get(a);
  return region !== undefined && region === places.regionOf.get(b) ? 0.25 : 0;
};
