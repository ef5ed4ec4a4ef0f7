import type { Graph } from "./pairing.ts";

const EPSILON = 1e-12;

/**
 * Local search toward the maximum-weight matching: from each vertex u0, a depth-first search for an alternating
 * path or cycle that raises the total. The path takes a new edge from u0, drops the partner's old edge, takes a
 * new edge from the freed vertex, and so on; it ends at a free vertex, closes back on u0's old partner v0, or
 * leaves the last freed vertex (and v0) to their best free neighbours. As in Lin-Kernighan, a branch is followed
 * only while its running gain stays positive: every improving cycle has a rotation whose running gains all are,
 * and that rotation is found from its own first vertex. `maxDepth` bounds the new edges per move. After the
 * first pass, only vertices next to a change are searched again, until a pass changes nothing.
 *
 * Mutates `mate`; returns the number of moves made. Deterministic: vertices and neighbours in index order.
 */
export const improveByAlternatingPaths = (
  graph: Graph,
  mate: Int32Array,
  vertices: readonly number[],
  maxDepth: number,
  maxPasses: number,
): number => {
  const inPath = new Uint8Array(graph.n);
  const touched: number[] = [];
  const added: number[] = [];
  let u0 = -1;
  let v0 = -1;
  let h0 = 0;

  /** v's heaviest edge to a vertex that is free and off the path (and not `except`), as [vertex, weight]. */
  const bestFree = (v: number, except: number): [number, number] => {
    let found = -1;
    let weight = 0;
    for (let k = graph.offsets[v] as number; k < (graph.offsets[v + 1] as number); k++) {
      const z = graph.neighbours[k] as number;
      if (mate[z] !== -1 || inPath[z] || z === except) continue;
      if ((graph.weights[k] as number) > weight + EPSILON) {
        found = z;
        weight = graph.weights[k] as number;
      }
    }
    return [found, weight];
  };

  /** The weight of each vertex's current pair (0 when free), kept up to date by `apply`. */
  const held = new Float64Array(graph.n);
  for (let v = 0; v < graph.n; v++) if ((mate[v] as number) >= 0) held[v] = graph.weight(v, mate[v] as number);
  /** The heaviest edge at each vertex: an upper bound that skips most scans for free neighbours. */
  const heaviest = new Float64Array(graph.n);
  for (let v = 0; v < graph.n; v++) {
    for (let k = graph.offsets[v] as number; k < (graph.offsets[v + 1] as number); k++) {
      heaviest[v] = Math.max(heaviest[v] as number, graph.weights[k] as number);
    }
  }
  /** v0's two best free neighbours, found once per start: the path only ever holds matched vertices. */
  let z1 = -1;
  let w1 = 0;
  let z2 = -1;
  let w2 = 0;
  const freeOfV0 = (except: number): [number, number] => (z1 !== except ? [z1, w1] : [z2, w2]);
  const rankFreeOfV0 = (): void => {
    z1 = z2 = -1;
    w1 = w2 = 0;
    if (v0 < 0) return;
    for (let k = graph.offsets[v0] as number; k < (graph.offsets[v0 + 1] as number); k++) {
      const z = graph.neighbours[k] as number;
      const w = graph.weights[k] as number;
      if (mate[z] !== -1 || inPath[z]) continue;
      if (w > w1 + EPSILON) {
        [z2, w2, z1, w1] = [z1, w1, z, w];
      } else if (w > w2 + EPSILON) {
        [z2, w2] = [z, w];
      }
    }
  };

  /** Vertices to search again next pass: those next to a vertex whose partner changed. */
  let dirty = new Uint8Array(graph.n).fill(1);
  let nextDirty = new Uint8Array(graph.n);
  const markAround = (v: number): void => {
    nextDirty[v] = 1;
    for (let k = graph.offsets[v] as number; k < (graph.offsets[v + 1] as number); k++) {
      nextDirty[graph.neighbours[k] as number] = 1;
    }
  };

  /** Applies the move: every vertex on the path loses its old pair, then the added edges are paired. */
  const apply = (extra: number[]): true => {
    for (const v of touched) {
      mate[v] = -1;
      held[v] = 0;
      markAround(v);
    }
    const edges = [...added, ...extra];
    for (let i = 0; i < edges.length; i += 2) {
      const a = edges[i] as number;
      const b = edges[i + 1] as number;
      mate[a] = b;
      mate[b] = a;
      held[a] = held[b] = graph.weight(a, b);
      markAround(a);
      markAround(b);
    }
    return true;
  };

  const search = (cur: number, gain: number, depth: number): boolean => {
    for (let k = graph.offsets[cur] as number; k < (graph.offsets[cur + 1] as number); k++) {
      const x = graph.neighbours[k] as number;
      const w = graph.weights[k] as number;
      if (x === v0) {
        // Close the cycle: cur takes u0's old partner.
        if (depth > 0 && gain + w - h0 > EPSILON) return apply([cur, x]);
        continue;
      }
      if (inPath[x]) continue;
      const y = mate[x] as number;
      if (y === -1) {
        // Augment into a free vertex; v0, if any, takes its best free neighbour.
        const [z, wz] = freeOfV0(x);
        if (gain + w + wz - h0 > EPSILON) return apply(z >= 0 ? [cur, x, v0, z] : [cur, x]);
        continue;
      }
      if (inPath[y]) continue;
      const running = gain + w - (held[x] as number);
      // From a free vertex an augmenting path has no rotation to start from, so its running gain may dip below
      // zero; it is followed while the freed vertex's heaviest edge could still lift it.
      if (v0 >= 0 ? running <= EPSILON : running + (heaviest[y] as number) <= EPSILON) continue;
      inPath[x] = 1;
      inPath[y] = 1;
      touched.push(x, y);
      added.push(cur, x);
      if (v0 >= 0 && running + (heaviest[y] as number) - h0 > EPSILON) {
        const closing = graph.weight(y, v0);
        if (running + closing - h0 > EPSILON) return apply([y, v0]);
      }
      if (running + (heaviest[y] as number) + w1 - h0 > EPSILON) {
        const [zy, wy] = bestFree(y, -1);
        const [zv, wv] = freeOfV0(zy);
        if (running + wy + wv - h0 > EPSILON) {
          return apply([...(zy >= 0 ? [y, zy] : []), ...(zv >= 0 ? [v0, zv] : [])]);
        }
      }
      if (depth + 1 < maxDepth && search(y, running, depth + 1)) return true;
      added.length -= 2;
      touched.length -= 2;
      inPath[x] = 0;
      inPath[y] = 0;
    }
    return false;
  };

  let moves = 0;
  for (let pass = 0; pass < maxPasses; pass++) {
    let changed = false;
    for (const u of vertices) {
      if (!dirty[u]) continue;
      u0 = u;
      v0 = mate[u] as number;
      h0 = held[u] as number;
      inPath[u0] = 1;
      touched.length = 0;
      added.length = 0;
      touched.push(u0);
      if (v0 >= 0) {
        inPath[v0] = 1;
        touched.push(v0);
      }
      rankFreeOfV0();
      const improved = search(u0, 0, 0);
      for (const v of touched) inPath[v] = 0;
      if (improved) {
        moves++;
        changed = true;
      }
    }
    if (!changed) break;
    [dirty, nextDirty] = [nextDirty, dirty];
    nextDirty.fill(0);
  }
  return moves;
};
