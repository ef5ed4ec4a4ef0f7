import { describe, expect, it } from "vitest";
import { type Edge, greedyPairing, improvedPairing, type Pairing } from "./pairing.ts";
import { seeded } from "./testing.ts";

/** The local search alone (exactComponentLimit 0), on graphs where greedy is known to fall short. */
const local = (n: number, edges: Edge[], maxDepth?: number) =>
  improvedPairing(n, edges, { exactComponentLimit: 0, ...(maxDepth === undefined ? {} : { maxDepth }) });

const isMatching = (pairing: Pairing, edges: readonly Edge[]): boolean => {
  const allowed = new Set(edges.map((e) => `${Math.min(e.a, e.b)}-${Math.max(e.a, e.b)}`));
  return pairing.pairs.every(
    (p) =>
      pairing.mate[p.a] === p.b &&
      pairing.mate[p.b] === p.a &&
      allowed.has(`${Math.min(p.a, p.b)}-${Math.max(p.a, p.b)}`),
  );
};

describe("improvedPairing's local search", () => {
  it("takes the augmenting path greedy misses: a-b-c-d with the heavy edge in the middle", () => {
    const edges = [
      { a: 0, b: 1, score: 1 },
      { a: 1, b: 2, score: 1.5 },
      { a: 2, b: 3, score: 1 },
    ];
    expect(greedyPairing(4, edges).total).toBe(1.5);
    expect(local(4, edges).total).toBe(2);
  });

  it("swaps around an alternating cycle of four edges", () => {
    // Greedy takes 0-1 (0.9) and then 2-3 (0.1); the cycle 0-2, 1-3 holds 0.8 + 0.8.
    const edges = [
      { a: 0, b: 1, score: 0.9 },
      { a: 2, b: 3, score: 0.1 },
      { a: 0, b: 2, score: 0.8 },
      { a: 1, b: 3, score: 0.8 },
    ];
    expect(local(4, edges).total).toBeCloseTo(1.6, 12);
  });

  it("needs depth for a long alternating path: depth 1 stops short, the default goes the distance", () => {
    // A path of 8 vertices whose odd edges are slightly heavier: greedy takes the 3 inner heavy ones.
    const edges = [0.5, 0.6, 0.5, 0.6, 0.5, 0.6, 0.5].map((score, i) => ({ a: i, b: i + 1, score }));
    expect(greedyPairing(8, edges).total).toBeCloseTo(1.8, 12);
    expect(local(8, edges).total).toBeCloseTo(2, 12);
    expect(local(8, edges, 1).total).toBeLessThan(2);
  });

  it("is a valid matching, never below greedy, and deterministic on random graphs", () => {
    const rng = seeded(42);
    for (let round = 0; round < 40; round++) {
      const n = 30 + rng.int(60);
      const edges: Edge[] = [];
      for (let a = 0; a < n; a++) {
        for (let b = a + 1; b < n; b++) if (rng.next() < 0.15) edges.push({ a, b, score: 0.3 + 0.7 * rng.next() });
      }
      const greedy = greedyPairing(n, edges);
      const improved = local(n, edges);
      expect(isMatching(improved, edges)).toBe(true);
      expect(improved.total).toBeGreaterThanOrEqual(greedy.total - 1e-12);
      expect(local(n, edges).pairs).toEqual(improved.pairs);
    }
  });
});
