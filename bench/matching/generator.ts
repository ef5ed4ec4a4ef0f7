import {
  AGE_BANDS,
  type Chips,
  type Geography,
  type MustHaveKey,
  type PoolEntry,
  TIME_WINDOWS,
  type Tier,
} from "../../core/matching/index.ts";
import { gaussian, intBetween, mulberry32, type Random, sample, weightedPicker } from "./random.ts";

/**
 * Synthetic matching pools exactly as ../shared/BENCH.md describes them ("Matching pools"): 200 cities with
 * Zipf(s=1) sizes in 20 regions, each city with 2 adjacent ones; 12 activities (1-2 each), 14 time windows (1-4),
 * 8 vibes (0-2), 6 networks, 5 age bands, gender preference any/specific; must-haves where 30% / when 20% /
 * who 10%; 5% with one dealbreaker; tiers 60/25/15 (by waiting time); 1% of in-city pairs declined before;
 * variant "embeddings" adds 64-dim unit vectors around 30 centroids.
 *
 * Choices BENCH.md leaves open (kept realistic and written here so figures stay comparable): evenings and
 * Fri-Sun are chosen more often; age bands skew young; 85% name a network; 30% want one specific gender.
 */

export const CITY_COUNT = 200;
export const REGION_COUNT = 20;
// biome-ignore format: a vocabulary reads best as a block
export const ACTIVITIES = [
  "coffee", "hiking", "climbing", "board games", "cinema", "running",
  "museums", "cooking", "live music", "cycling", "yoga", "brunch",
] as const;
export const VIBES = ["chill", "chatty", "sporty", "curious", "nerdy", "artsy", "outdoorsy", "night owl"] as const;
export const NETWORKS = ["alumni", "work", "climbing club", "parents", "newcomers", "volunteers"] as const;
const GENDERS = ["woman", "man", "nonbinary"] as const;
const EMBEDDING_DIMENSIONS = 64;
const CENTROIDS = 30;
/** Per-dimension noise around a centroid: two members of one cluster have a cosine of about 0.7. */
const EMBEDDING_NOISE = 0.08;
export const DECLINED_FRACTION = 0.01;

export type Variant = "plain" | "embeddings";

export interface Pool {
  readonly entries: PoolEntry[];
  readonly geography: Geography;
  /** Past declines: 1% of the pairs inside a city, decided by a hash of the pair (no giant set to hold). */
  readonly blocked: (userA: string, userB: string) => boolean;
  /** The batch's clock. */
  readonly now: Date;
}

const cityName = (i: number): string => `city-${String(i + 1).padStart(3, "0")}`;

/** Cities in regions round-robin (each region gets big and small ones); adjacency is a ring inside the region. */
export const benchGeography = (): Geography => {
  const adjacent: Record<string, string[]> = {};
  const regions: Record<string, string> = {};
  const perRegion = CITY_COUNT / REGION_COUNT;
  for (let i = 0; i < CITY_COUNT; i++) {
    const region = i % REGION_COUNT;
    const slot = Math.floor(i / REGION_COUNT);
    const at = (s: number) => cityName(((s + perRegion) % perRegion) * REGION_COUNT + region);
    regions[cityName(i)] = `region-${String(region + 1).padStart(2, "0")}`;
    adjacent[cityName(i)] = [at(slot - 1), at(slot + 1)];
  }
  return { adjacent, regions };
};

/** Zipf(s=1) over the cities: the largest holds 1/H(200), about 17% of the pool. */
const pickCity = weightedPicker(Array.from({ length: CITY_COUNT }, (_, i) => 1 / (i + 1)));
const pickWindow = weightedPicker(
  TIME_WINDOWS.map((w) => (w.endsWith("evening") ? 2 : 1) * (/^(fri|sat|sun)/.test(w) ? 1.5 : 1)),
);
const pickAge = weightedPicker([25, 35, 20, 12, 8]);
const pickGender = weightedPicker([48, 48, 4]);

const windowsOf = (random: Random): Array<(typeof TIME_WINDOWS)[number]> => {
  const chosen = new Set<number>();
  const count = intBetween(random, 1, 4);
  while (chosen.size < count) chosen.add(pickWindow(random));
  return [...chosen].sort((a, b) => a - b).map((i) => TIME_WINDOWS[i] as (typeof TIME_WINDOWS)[number]);
};

const unit = (values: number[]): number[] => {
  const length = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
  return values.map((v) => v / length);
};

const chipsOf = (random: Random, cityOf: Int32Array, index: number): Chips => {
  const activities = sample(random, ACTIVITIES, intBetween(random, 1, 2));
  const vibe = sample(random, VIBES, intBetween(random, 0, 2));
  const network = random() < 0.85 ? NETWORKS[Math.floor(random() * NETWORKS.length)] : undefined;
  const gender = GENDERS[pickGender(random)] as string;
  const specific = random() < 0.3;
  const must_haves: MustHaveKey[] = [];
  if (random() < 0.3) must_haves.push("where");
  if (random() < 0.2) must_haves.push("when");
  if (random() < 0.1) must_haves.push("who");
  const own = new Set<string>([...activities, ...vibe, ...(network ? [network] : [])]);
  const others = [...ACTIVITIES, ...VIBES, ...NETWORKS].filter((chip) => !own.has(chip));
  const dealbreakers = random() < 0.05 ? sample(random, others, 1) : [];
  return {
    who: {
      ...(network ? { network } : {}),
      age_band: AGE_BANDS[pickAge(random)] as (typeof AGE_BANDS)[number],
      gender,
      gender_preference: specific ? (GENDERS[pickGender(random)] as string) : "any",
    },
    activities,
    when: windowsOf(random),
    where: cityName(cityOf[index] as number),
    vibe,
    must_haves,
    dealbreakers,
  };
};

/** A 32-bit mix of two integers and the seed: the same pair always gets the same verdict. */
const pairHash = (seed: number, a: number, b: number): number => {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(a, 0xc2b2ae35) ^ Math.imul(b, 0x27d4eb2f);
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
};

const HOUR = 3_600_000;
export const BENCH_NOW = new Date("2026-11-23T12:00:00Z");

export const generatePool = (size: number, seed: number, variant: Variant = "plain"): Pool => {
  const random = mulberry32(seed);
  const cityOf = Int32Array.from({ length: size }, () => pickCity(random));
  const centroids = Array.from({ length: CENTROIDS }, () =>
    unit(Array.from({ length: EMBEDDING_DIMENSIONS }, () => gaussian(random))),
  );
  const entries = Array.from({ length: size }, (_, i): PoolEntry => {
    const chips = chipsOf(random, cityOf, i);
    const roll = random();
    const tier: Tier = roll < 0.6 ? 0 : roll < 0.85 ? 1 : 2;
    const waitedHours = tier * 24 + random() * 24;
    const centroid = centroids[Math.floor(random() * CENTROIDS)] as number[];
    return {
      id: `e${i}`,
      userId: `u${i}`,
      chips,
      joinedAt: new Date(BENCH_NOW.getTime() - waitedHours * HOUR),
      tier,
      ...(variant === "embeddings"
        ? { embedding: unit(centroid.map((c) => c + EMBEDDING_NOISE * gaussian(random))) }
        : {}),
    };
  });
  const blocked = (userA: string, userB: string): boolean => {
    const a = Number(userA.slice(1));
    const b = Number(userB.slice(1));
    if (cityOf[a] !== cityOf[b]) return false;
    return pairHash(seed, Math.min(a, b), Math.max(a, b)) < DECLINED_FRACTION;
  };
  return { entries, geography: benchGeography(), blocked, now: BENCH_NOW };
};
