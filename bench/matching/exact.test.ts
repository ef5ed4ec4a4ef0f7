import { describe, expect, it } from "vitest";
import { maxWeightMatching, type WeightedEdge } from "./exact.ts";
import { mulberry32 } from "./random.ts";

/** Best total weight over all matchings, by trying each vertex matched with each later neighbour or unmatched. */
const bruteForce = (n: number, edges: ReadonlyArray<WeightedEdge>): number => {
  const weight = new Map<number, number>();
  for (const [i, j, w] of edges) {
    const key = Math.min(i, j) * n + Math.max(i, j);
    weight.set(key, Math.max(weight.get(key) ?? Number.NEGATIVE_INFINITY, w));
  }
  const used = new Uint8Array(n);
  const best = (v: number): number => {
    if (v >= n) return 0;
    if (used[v]) return best(v + 1);
    let top = best(v + 1); // v stays unmatched
    used[v] = 1;
    for (let u = v + 1; u < n; u++) {
      const w = weight.get(v * n + u);
      if (used[u] || w === undefined) continue;
      used[u] = 1;
      top = Math.max(top, w + best(v + 1));
      used[u] = 0;
    }
    used[v] = 0;
    return top;
  };
  return best(0);
};

/** Total weight of `mate`, after checking it is a matching made of the given edges. */
const totalOf = (mate: Int32Array, edges: ReadonlyArray<WeightedEdge>): number => {
  const weight = new Map(edges.map(([i, j, w]) => [`${Math.min(i, j)}-${Math.max(i, j)}`, w]));
  let total = 0;
  mate.forEach((u, v) => {
    if (u === -1) return;
    expect(mate[u]).toBe(v);
    if (v < u) {
      const w = weight.get(`${v}-${u}`);
      expect(w).toBeDefined();
      total += w ?? 0;
    }
  });
  return total;
};

const randomGraph = (random: () => number, n: number, density: number, maxWeight: number): WeightedEdge[] => {
  const edges: WeightedEdge[] = [];
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++)
      if (random() < density) edges.push([i, j, 1 + Math.floor(random() * maxWeight)] as const);
  return edges;
};

describe("maxWeightMatching", () => {
  it("equals brute force on 300 seeded random graphs (n <= 12), sparse to complete, few and many weights", () => {
    const random = mulberry32(20261123);
    for (let round = 0; round < 300; round++) {
      const n = 2 + Math.floor(random() * 11);
      const density = [0.2, 0.4, 0.7, 1][round % 4] as number;
      const maxWeight = round % 3 === 0 ? 3 : 1000; // few distinct weights force ties and blossoms
      const edges = randomGraph(random, n, density, maxWeight);
      const mate = maxWeightMatching(edges);
      expect(totalOf(mate, edges), `round ${round}: ${JSON.stringify(edges)}`).toBe(bruteForce(n, edges));
    }
  });

  it("takes one heavy edge over two light ones, and two over one when they weigh more", () => {
    expect(
      Array.from(
        maxWeightMatching([
          [0, 1, 1],
          [1, 2, 3],
          [2, 3, 1],
        ]),
      ),
    ).toEqual([-1, 2, 1, -1]);
    expect(
      Array.from(
        maxWeightMatching([
          [0, 1, 2],
          [1, 2, 3],
          [2, 3, 2],
        ]),
      ),
    ).toEqual([1, 0, 3, 2]);
  });

  it("solves the classic blossom cases (odd cycle with a stem, nested and expanded blossoms)", () => {
    // van Rantwijk's test cases 20-24: create an S-blossom and use it for augmentation; nested S-blossom.
    const stem: WeightedEdge[] = [
      [1, 2, 8],
      [1, 3, 9],
      [2, 3, 10],
      [3, 4, 7],
    ];
    expect(Array.from(maxWeightMatching(stem)).slice(1)).toEqual([2, 1, 4, 3]);
    const withTail: WeightedEdge[] = [...stem, [1, 6, 5], [4, 5, 6]];
    expect(Array.from(maxWeightMatching(withTail)).slice(1)).toEqual([6, 3, 2, 5, 4, 1]);
    const nested: WeightedEdge[] = [
      [1, 2, 9],
      [1, 3, 9],
      [2, 3, 10],
      [2, 4, 8],
      [3, 5, 8],
      [4, 5, 10],
      [5, 6, 6],
    ];
    expect(Array.from(maxWeightMatching(nested)).slice(1)).toEqual([3, 4, 1, 2, 6, 5]);
    // Test 31: create nested S-blossom, relabel as T, expand.
    const relabel: WeightedEdge[] = [
      [1, 2, 23],
      [1, 5, 22],
      [1, 6, 15],
      [2, 3, 25],
      [3, 4, 22],
      [4, 5, 25],
      [4, 8, 14],
      [5, 7, 13],
    ];
    expect(Array.from(maxWeightMatching(relabel)).slice(1)).toEqual([6, 3, 2, 8, 7, 1, 5, 4]);
  });

  it("returns nothing for no edges and leaves negative edges out", () => {
    expect(maxWeightMatching([]).length).toBe(0);
    expect(
      Array.from(
        maxWeightMatching([
          [0, 1, -2],
          [1, 2, -1],
        ]),
      ),
    ).toEqual([-1, -1, -1]);
  });

  it("solves the T-blossom expansion cases (relabel as T, least-slack edge after expansion, nested)", () => {
    // van Rantwijk's "nasty" cases 30-34: each drives expandBlossom's relabelling of a T-blossom's children.
    // biome-ignore format: edge lists read best packed
    const cases: Array<[WeightedEdge[], number[]]> = [
      [
        [[1, 2, 45], [1, 5, 45], [2, 3, 50], [3, 4, 45], [4, 5, 50], [1, 6, 30], [3, 9, 35], [4, 8, 35], [5, 7, 26], [9, 10, 5]],
        [-1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9],
      ],
      [
        [[1, 2, 45], [1, 5, 45], [2, 3, 50], [3, 4, 45], [4, 5, 50], [1, 6, 30], [3, 9, 35], [4, 8, 26], [5, 7, 40], [9, 10, 5]],
        [-1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9],
      ],
      [
        [[1, 2, 45], [1, 5, 45], [2, 3, 50], [3, 4, 45], [4, 5, 50], [1, 6, 30], [3, 9, 35], [4, 8, 28], [5, 7, 26], [9, 10, 5]],
        [-1, 6, 3, 2, 8, 7, 1, 5, 4, 10, 9],
      ],
      [
        [
          [1, 2, 45], [1, 7, 45], [2, 3, 50], [3, 4, 45], [4, 5, 95], [4, 6, 94], [5, 6, 94], [6, 7, 50], [1, 8, 30],
          [3, 11, 35], [5, 9, 36], [7, 10, 26], [11, 12, 5],
        ],
        [-1, 8, 3, 2, 6, 9, 4, 10, 1, 5, 7, 12, 11],
      ],
      [
        [[1, 2, 40], [1, 3, 40], [2, 3, 60], [2, 4, 55], [3, 5, 55], [4, 5, 50], [1, 8, 15], [5, 7, 30], [7, 6, 10], [8, 10, 10], [4, 9, 30]],
        [-1, 2, 1, 5, 9, 3, 7, 6, 10, 4, 8],
      ],
    ];
    for (const [edges, expected] of cases) {
      const mate = maxWeightMatching(edges);
      expect(totalOf(mate, edges)).toBe(bruteForce(expected.length, edges));
      expect(Array.from(mate)).toEqual(expected);
    }
  });

  it("with maxCardinality prefers more pairs over more weight", () => {
    const edges: WeightedEdge[] = [
      [0, 1, 1],
      [1, 2, 10],
      [2, 3, 1],
    ];
    expect(Array.from(maxWeightMatching(edges, true))).toEqual([1, 0, 3, 2]);
  });
});
