import { describe, expect, it } from "vitest";
import { tierAt } from "../../core/matching/index.ts";
import { defaultPolicy } from "../../core/matching/policy.ts";
import { benchGeography, CITY_COUNT, generatePool, REGION_COUNT } from "./generator.ts";

const share = (count: number, total: number) => count / total;

describe("generatePool (BENCH.md matching pools)", () => {
  const size = 10_000;
  const pool = generatePool(size, 7);
  const entries = pool.entries;

  it("is the same pool for the same seed, another for another seed", () => {
    expect(generatePool(200, 7).entries).toEqual(generatePool(200, 7).entries);
    expect(generatePool(200, 8).entries).not.toEqual(generatePool(200, 7).entries);
  });

  it("puts about 17% of the pool in the largest of 200 cities, 20 regions, 2 adjacent cities each", () => {
    const byCity = new Map<string, number>();
    for (const e of entries) byCity.set(e.chips.where, (byCity.get(e.chips.where) ?? 0) + 1);
    expect(share(Math.max(...byCity.values()), size)).toBeGreaterThan(0.155);
    expect(share(Math.max(...byCity.values()), size)).toBeLessThan(0.185);
    const geography = benchGeography();
    expect(Object.keys(geography.regions)).toHaveLength(CITY_COUNT);
    expect(new Set(Object.values(geography.regions)).size).toBe(REGION_COUNT);
    for (const [city, near] of Object.entries(geography.adjacent)) {
      expect(new Set(near).size, city).toBe(2);
      for (const other of near) {
        expect(geography.adjacent[other], `${city} <-> ${other}`).toContain(city);
        expect(geography.regions[other]).toBe(geography.regions[city]);
      }
    }
  });

  it("draws chips within the vocabularies' ranges and at the must-have and dealbreaker rates", () => {
    const within = (n: number, min: number, max: number) => n >= min && n <= max;
    const outOfRange = entries.filter(
      (e) =>
        !within(e.chips.activities.length, 1, 2) ||
        !within(e.chips.when.length, 1, 4) ||
        !within(e.chips.vibe?.length ?? 0, 0, 2) ||
        !within(e.chips.dealbreakers?.length ?? 0, 0, 1) ||
        (e.chips.dealbreakers ?? []).some((d) => e.chips.activities.includes(d)),
    );
    expect(outOfRange).toEqual([]);
    const rate = (test: (must: readonly string[]) => boolean) =>
      share(entries.filter((e) => test(e.chips.must_haves ?? [])).length, size);
    expect(rate((m) => m.includes("where"))).toBeCloseTo(0.3, 1);
    expect(rate((m) => m.includes("when"))).toBeCloseTo(0.2, 1);
    expect(rate((m) => m.includes("who"))).toBeCloseTo(0.1, 1);
    expect(share(entries.filter((e) => (e.chips.dealbreakers ?? []).length > 0).length, size)).toBeCloseTo(0.05, 1);
  });

  it("mixes tiers 60/25/15, each consistent with its waiting time", () => {
    const counts = [0, 0, 0];
    let inconsistent = 0;
    for (const e of entries) {
      counts[e.tier] = (counts[e.tier] ?? 0) + 1;
      if (tierAt(defaultPolicy, e.joinedAt, pool.now) !== e.tier) inconsistent++;
    }
    expect(inconsistent).toBe(0);
    expect(counts.map((c) => share(c, size))).toEqual([
      expect.closeTo(0.6, 1),
      expect.closeTo(0.25, 1),
      expect.closeTo(0.15, 1),
    ]);
  });

  it("declines about 1% of the pairs inside a city and none across cities", () => {
    let inCity = 0;
    let declined = 0;
    let crossCity = 0;
    let asymmetric = 0;
    const some = entries.slice(0, 1200);
    for (const [i, a] of some.entries()) {
      for (const b of some.slice(i + 1)) {
        const blocked = pool.blocked(a.userId, b.userId);
        if (pool.blocked(b.userId, a.userId) !== blocked) asymmetric++;
        if (a.chips.where !== b.chips.where) crossCity += blocked ? 1 : 0;
        else {
          inCity++;
          declined += blocked ? 1 : 0;
        }
      }
    }
    expect({ crossCity, asymmetric }).toEqual({ crossCity: 0, asymmetric: 0 });
    expect(share(declined, inCity)).toBeGreaterThan(0.008);
    expect(share(declined, inCity)).toBeLessThan(0.012);
  });

  it("gives the embeddings variant 64-dimension unit vectors in clusters", () => {
    const withEmbeddings = generatePool(500, 7, "embeddings").entries;
    const cosines: number[] = [];
    for (const e of withEmbeddings) {
      const v = e.embedding ?? [];
      expect(v).toHaveLength(64);
      expect(Math.hypot(...v)).toBeCloseTo(1, 9);
    }
    for (let i = 1; i < withEmbeddings.length; i++) {
      const a = withEmbeddings[0]?.embedding ?? [];
      const b = withEmbeddings[i]?.embedding ?? [];
      cosines.push(a.reduce((sum, x, k) => sum + x * (b[k] ?? 0), 0));
    }
    // Same cluster (about 1 in 30) is close; different clusters are near orthogonal.
    const close = cosines.filter((c) => c > 0.5).length;
    expect(close).toBeGreaterThan(3);
    expect(close).toBeLessThan(60);
  });
});
