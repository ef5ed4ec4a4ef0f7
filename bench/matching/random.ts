/**
 * Seeded randomness for the benchmark pools: the same seed gives the same pool on every machine and Node version
 * (Math.random cannot be seeded). mulberry32 is small, fast and good enough for synthetic data.
 */
export type Random = () => number;

/** Uniform floats in [0, 1) from a 32-bit seed. */
export const mulberry32 = (seed: number): Random => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** An integer in [min, max] inclusive. */
export const intBetween = (random: Random, min: number, max: number): number =>
  min + Math.floor(random() * (max - min + 1));

/** `count` distinct items of `items`, in random order (partial Fisher-Yates). */
export const sample = <T>(random: Random, items: ReadonlyArray<T>, count: number): T[] => {
  const copy = [...items];
  const take = Math.min(count, copy.length);
  for (let i = 0; i < take; i++) {
    const j = i + Math.floor(random() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy.slice(0, take);
};

/** Standard normal, by Box-Muller. */
export const gaussian = (random: Random): number => {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
};

/** Index drawn with probability proportional to `weights` (cumulative table + binary search). */
export const weightedPicker = (weights: ReadonlyArray<number>): ((random: Random) => number) => {
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) {
    sum += w;
    cumulative.push(sum);
  }
  return (random) => {
    const target = random() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  };
};
