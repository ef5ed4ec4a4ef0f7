import { AGE_BANDS, type Chips, type MustHaveKey, type PoolEntry, TIME_WINDOWS, type Tier } from "./model.ts";

/** Seeded pools for core tests: small vocabularies so that pairs collide, every rule gets exercised. */

/** mulberry32: a tiny seeded generator, good enough for test data. */
export const seeded = (seed: number) => {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (max: number): number => Math.floor(next() * max);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const some = <T>(items: readonly T[], min: number, max: number): T[] => {
    const count = min + int(max - min + 1);
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) out.push(pool.splice(int(pool.length), 1)[0] as T);
    return out;
  };
  return { next, int, pick, some };
};

export const TEST_CITIES = ["palo alto", "menlo park", "mountain view", "oakland", "berkeley"];
export const TEST_GEOGRAPHY = {
  adjacent: { "palo alto": ["menlo park", "mountain view"], oakland: ["berkeley"] },
  regions: {
    "palo alto": "peninsula",
    "menlo park": "peninsula",
    "mountain view": "peninsula",
    oakland: "east bay",
    berkeley: "east bay",
  },
};

const ACTIVITIES = ["coffee", "hiking", "climbing", "board games", "cinema"];
const VIBES = ["chill", "chatty", "sporty"];
const NETWORKS = ["alumni", "work", "friends"];
const HOUR = 3_600_000;

export const randomChips = (rng: ReturnType<typeof seeded>): Chips => {
  const must: MustHaveKey[] = [];
  if (rng.next() < 0.3) must.push("where");
  if (rng.next() < 0.2) must.push("when");
  if (rng.next() < 0.1) must.push("who");
  if (rng.next() < 0.1) must.push("activities");
  return {
    who: {
      network: rng.pick(NETWORKS),
      age_band: rng.pick(AGE_BANDS.slice(0, 3)),
      gender: rng.pick(["woman", "man"]),
      gender_preference: rng.next() < 0.7 ? "any" : rng.pick(["woman", "man"]),
    },
    activities: rng.some(ACTIVITIES, 1, 2),
    when: rng.some(TIME_WINDOWS.slice(8), 1, 3),
    where: rng.pick(TEST_CITIES),
    vibe: rng.some(VIBES, 0, 2),
    must_haves: must,
    dealbreakers: rng.next() < 0.1 ? [rng.pick([...ACTIVITIES, ...VIBES])] : [],
  };
};

/** `n` entries joined over the last 80 hours (some expired), with a stored tier that may lag the clock. */
export const randomPool = (seed: number, n: number, now: Date, options: { embeddings?: number } = {}): PoolEntry[] => {
  const rng = seeded(seed);
  return Array.from({ length: n }, (_, i): PoolEntry => {
    const joinedAt = new Date(now.getTime() - Math.floor(rng.next() * 80 * HOUR));
    const dims = options.embeddings ?? 0;
    return {
      id: `e${seed}-${i}`,
      userId: `u${seed}-${i}`,
      chips: randomChips(rng),
      ...(dims > 0 ? { embedding: Array.from({ length: dims }, () => rng.next() - 0.5) } : {}),
      joinedAt,
      tier: rng.pick([0, 0, 1] as const) as Tier,
    };
  });
};
