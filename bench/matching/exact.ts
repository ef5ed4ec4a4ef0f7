/**
 * Exact maximum-weight matching on a general graph: Edmonds' blossom algorithm with primal-dual updates,
 * O(n^3). A faithful port of Joris van Rantwijk's `mwmatching.py` (the implementation networkx's
 * `max_weight_matching` derives from), kept in one closure on purpose so it can be read side by side with the
 * original; the variable names are the original's. Used only by the benchmark, as the reference optimum.
 *
 * Weights should be integers: the algorithm then works in exact integer arithmetic (slacks are `2 * weight`
 * based, so halving them stays integral). Floats work but equality tests on duals become approximate.
 */
export type WeightedEdge = readonly [i: number, j: number, weight: number];

/** `mate[v]` is the vertex matched to `v`, or -1. Vertices are 0..max index in `edges`. */
export const maxWeightMatching = (edges: ReadonlyArray<WeightedEdge>, maxCardinality = false): Int32Array => {
  if (edges.length === 0) return new Int32Array(0);
  const nedge = edges.length;
  let nvertex = 0;
  let maxweight = 0;
  for (const [i, j, w] of edges) {
    if (i < 0 || j < 0 || i === j) throw new Error(`bad edge ${i}-${j}`);
    nvertex = Math.max(nvertex, i + 1, j + 1);
    maxweight = Math.max(maxweight, w);
  }
  const allinteger = edges.every(([, , w]) => Number.isInteger(w));
  const ei = Int32Array.from(edges, (e) => e[0]);
  const ej = Int32Array.from(edges, (e) => e[1]);
  const ew = Float64Array.from(edges, (e) => e[2]);
  // endpoint[p]: the vertex at endpoint p; edge k has endpoints 2k (its i) and 2k+1 (its j).
  const endpoint = new Int32Array(2 * nedge);
  for (let k = 0; k < nedge; k++) {
    endpoint[2 * k] = ei[k] as number;
    endpoint[2 * k + 1] = ej[k] as number;
  }
  // neighbend[v]: the remote endpoints of the edges incident to v.
  const neighbend: number[][] = Array.from({ length: nvertex }, () => []);
  for (let k = 0; k < nedge; k++) {
    neighbend[ei[k] as number]?.push(2 * k + 1);
    neighbend[ej[k] as number]?.push(2 * k);
  }
  const mate = new Int32Array(nvertex).fill(-1); // remote endpoint of the matched edge, until the end
  const label = new Int32Array(2 * nvertex); // 0 free, 1 S, 2 T (5 = S while scanning)
  const labelend = new Int32Array(2 * nvertex).fill(-1);
  const inblossom = Int32Array.from({ length: nvertex }, (_, v) => v);
  const blossomparent = new Int32Array(2 * nvertex).fill(-1);
  const blossomchilds: Array<number[] | null> = new Array(2 * nvertex).fill(null);
  const blossombase = Int32Array.from({ length: 2 * nvertex }, (_, b) => (b < nvertex ? b : -1));
  const blossomendps: Array<number[] | null> = new Array(2 * nvertex).fill(null);
  const bestedge = new Int32Array(2 * nvertex).fill(-1);
  const blossombestedges: Array<number[] | null> = new Array(2 * nvertex).fill(null);
  const unusedblossoms: number[] = Array.from({ length: nvertex }, (_, i) => nvertex + i);
  const dualvar = Float64Array.from({ length: 2 * nvertex }, (_, v) => (v < nvertex ? maxweight : 0));
  const allowedge = new Uint8Array(nedge);
  let queue: number[] = [];

  const at = (a: Int32Array | Float64Array, i: number): number => a[i] as number;
  const childs = (b: number): number[] => blossomchilds[b] as number[];
  const endps = (b: number): number[] => blossomendps[b] as number[];
  const slack = (k: number): number => at(dualvar, at(ei, k)) + at(dualvar, at(ej, k)) - 2 * at(ew, k);

  const blossomLeaves = (b: number, out: number[] = []): number[] => {
    if (b < nvertex) out.push(b);
    else for (const t of childs(b)) blossomLeaves(t, out);
    return out;
  };

  // Label the top-level blossom containing w with t, reached through endpoint p.
  const assignLabel = (w: number, t: number, p: number): void => {
    const b = at(inblossom, w);
    label[w] = label[b] = t;
    labelend[w] = labelend[b] = p;
    bestedge[w] = bestedge[b] = -1;
    if (t === 1) {
      for (const leaf of blossomLeaves(b)) queue.push(leaf);
    } else if (t === 2) {
      const base = at(blossombase, b);
      assignLabel(at(endpoint, at(mate, base)), 1, at(mate, base) ^ 1);
    }
  };

  // Trace back from v and w to find a new blossom (its base) or an augmenting path (-1).
  const scanBlossom = (v0: number, w0: number): number => {
    let v = v0;
    let w = w0;
    const path: number[] = [];
    let base = -1;
    while (v !== -1 || w !== -1) {
      let b = at(inblossom, v);
      if (at(label, b) & 4) {
        base = at(blossombase, b);
        break;
      }
      path.push(b);
      label[b] = 5;
      if (at(labelend, b) === -1) {
        v = -1;
      } else {
        v = at(endpoint, at(labelend, b));
        b = at(inblossom, v);
        v = at(endpoint, at(labelend, b));
      }
      if (w !== -1) [v, w] = [w, v];
    }
    for (const b of path) label[b] = 1;
    return base;
  };

  // Construct a new blossom with the given base through S-vertices joined by edge k.
  const addBlossom = (base: number, k: number): void => {
    let v = at(ei, k);
    let w = at(ej, k);
    const bb = at(inblossom, base);
    let bv = at(inblossom, v);
    let bw = at(inblossom, w);
    const b = unusedblossoms.pop() as number;
    blossombase[b] = base;
    blossomparent[b] = -1;
    blossomparent[bb] = b;
    const path: number[] = [];
    const ends: number[] = [];
    blossomchilds[b] = path;
    blossomendps[b] = ends;
    while (bv !== bb) {
      blossomparent[bv] = b;
      path.push(bv);
      ends.push(at(labelend, bv));
      v = at(endpoint, at(labelend, bv));
      bv = at(inblossom, v);
    }
    path.push(bb);
    path.reverse();
    ends.reverse();
    ends.push(2 * k);
    while (bw !== bb) {
      blossomparent[bw] = b;
      path.push(bw);
      ends.push(at(labelend, bw) ^ 1);
      w = at(endpoint, at(labelend, bw));
      bw = at(inblossom, w);
    }
    label[b] = 1;
    labelend[b] = at(labelend, bb);
    dualvar[b] = 0;
    for (const leaf of blossomLeaves(b)) {
      if (at(label, at(inblossom, leaf)) === 2) queue.push(leaf);
      inblossom[leaf] = b;
    }
    // Least-slack edges from the new blossom to each neighbouring S-blossom.
    const bestedgeto = new Int32Array(2 * nvertex).fill(-1);
    for (const sub of path) {
      const nblists =
        blossombestedges[sub] === null
          ? blossomLeaves(sub).map((leaf) => (neighbend[leaf] as number[]).map((p) => p >> 1))
          : [blossombestedges[sub] as number[]];
      for (const nblist of nblists) {
        for (const kk of nblist) {
          const j = at(inblossom, at(ej, kk)) === b ? at(ei, kk) : at(ej, kk);
          const bj = at(inblossom, j);
          if (bj !== b && at(label, bj) === 1 && (at(bestedgeto, bj) === -1 || slack(kk) < slack(at(bestedgeto, bj))))
            bestedgeto[bj] = kk;
        }
      }
      blossombestedges[sub] = null;
      bestedge[sub] = -1;
    }
    const best = Array.from(bestedgeto).filter((kk) => kk !== -1);
    blossombestedges[b] = best;
    bestedge[b] = -1;
    for (const kk of best) if (at(bestedge, b) === -1 || slack(kk) < slack(at(bestedge, b))) bestedge[b] = kk;
  };

  // Expand blossom b; during a stage (not endstage) relabel its T-children to keep the alternating tree.
  const expandBlossom = (b: number, endstage: boolean): void => {
    for (const s of childs(b)) {
      blossomparent[s] = -1;
      if (s < nvertex) inblossom[s] = s;
      else if (endstage && at(dualvar, s) === 0) expandBlossom(s, endstage);
      else for (const leaf of blossomLeaves(s)) inblossom[leaf] = s;
    }
    if (!endstage && at(label, b) === 2) {
      const kids = childs(b);
      const ends = endps(b);
      const entrychild = at(inblossom, at(endpoint, at(labelend, b) ^ 1));
      let j = kids.indexOf(entrychild);
      let jstep: number;
      let endptrick: number;
      if (j & 1) {
        j -= kids.length;
        jstep = 1;
        endptrick = 0;
      } else {
        jstep = -1;
        endptrick = 1;
      }
      const idx = (i: number): number => (i < 0 ? i + kids.length : i); // Python's negative indexing
      let p = at(labelend, b);
      while (j !== 0) {
        label[at(endpoint, p ^ 1)] = 0;
        label[at(endpoint, (ends[idx(j - endptrick)] as number) ^ endptrick ^ 1)] = 0;
        assignLabel(at(endpoint, p ^ 1), 2, p);
        allowedge[(ends[idx(j - endptrick)] as number) >> 1] = 1;
        j += jstep;
        p = (ends[idx(j - endptrick)] as number) ^ endptrick;
        allowedge[p >> 1] = 1;
        j += jstep;
      }
      let bv = kids[idx(j)] as number;
      label[at(endpoint, p ^ 1)] = label[bv] = 2;
      labelend[at(endpoint, p ^ 1)] = labelend[bv] = p;
      bestedge[bv] = -1;
      j += jstep;
      while (kids[idx(j)] !== entrychild) {
        bv = kids[idx(j)] as number;
        if (at(label, bv) === 1) {
          j += jstep;
          continue;
        }
        const reached = blossomLeaves(bv).find((leaf) => at(label, leaf) !== 0);
        if (reached !== undefined) {
          label[reached] = 0;
          label[at(endpoint, at(mate, at(blossombase, bv)))] = 0;
          assignLabel(reached, 2, at(labelend, reached));
        }
        j += jstep;
      }
    }
    label[b] = labelend[b] = -1;
    blossomchilds[b] = blossomendps[b] = null;
    blossombase[b] = -1;
    blossombestedges[b] = null;
    bestedge[b] = -1;
    unusedblossoms.push(b);
  };

  // Swap matched/unmatched edges along the path through blossom b from vertex v to the base.
  const augmentBlossom = (b: number, v: number): void => {
    let t = v;
    while (at(blossomparent, t) !== b) t = at(blossomparent, t);
    if (t >= nvertex) augmentBlossom(t, v);
    const kids = childs(b);
    const ends = endps(b);
    const idx = (i: number): number => (i < 0 ? i + kids.length : i);
    const i = kids.indexOf(t);
    let j = i;
    let jstep: number;
    let endptrick: number;
    if (i & 1) {
      j -= kids.length;
      jstep = 1;
      endptrick = 0;
    } else {
      jstep = -1;
      endptrick = 1;
    }
    while (j !== 0) {
      j += jstep;
      t = kids[idx(j)] as number;
      const p = (ends[idx(j - endptrick)] as number) ^ endptrick;
      if (t >= nvertex) augmentBlossom(t, at(endpoint, p));
      j += jstep;
      t = kids[idx(j)] as number;
      if (t >= nvertex) augmentBlossom(t, at(endpoint, p ^ 1));
      mate[at(endpoint, p)] = p ^ 1;
      mate[at(endpoint, p ^ 1)] = p;
    }
    blossomchilds[b] = [...kids.slice(i), ...kids.slice(0, i)];
    blossomendps[b] = [...ends.slice(i), ...ends.slice(0, i)];
    blossombase[b] = at(blossombase, childs(b)[0] as number);
  };

  // Augment along the path through edge k between two S-vertices.
  const augmentMatching = (k: number): void => {
    for (const [s0, p0] of [
      [at(ei, k), 2 * k + 1],
      [at(ej, k), 2 * k],
    ] as const) {
      let s = s0;
      let p = p0;
      for (;;) {
        const bs = at(inblossom, s);
        if (bs >= nvertex) augmentBlossom(bs, s);
        mate[s] = p;
        if (at(labelend, bs) === -1) break;
        const t = at(endpoint, at(labelend, bs));
        const bt = at(inblossom, t);
        s = at(endpoint, at(labelend, bt));
        const j = at(endpoint, at(labelend, bt) ^ 1);
        if (bt >= nvertex) augmentBlossom(bt, j);
        mate[j] = at(labelend, bt);
        p = at(labelend, bt) ^ 1;
      }
    }
  };

  const minVertexDual = (): number => {
    let min = Number.POSITIVE_INFINITY;
    for (let v = 0; v < nvertex; v++) min = Math.min(min, at(dualvar, v));
    return min;
  };

  // No augmenting path with tight edges: change the duals by the largest safe delta. False ends the stage.
  const dualStep = (): boolean => {
    let deltatype = -1;
    let delta = 0;
    let deltaedge = -1;
    let deltablossom = -1;
    if (!maxCardinality) {
      deltatype = 1;
      delta = minVertexDual();
    }
    for (let v = 0; v < nvertex; v++) {
      if (at(label, at(inblossom, v)) === 0 && at(bestedge, v) !== -1) {
        const d = slack(at(bestedge, v));
        if (deltatype === -1 || d < delta) [delta, deltatype, deltaedge] = [d, 2, at(bestedge, v)];
      }
    }
    for (let b = 0; b < 2 * nvertex; b++) {
      if (at(blossomparent, b) === -1 && at(label, b) === 1 && at(bestedge, b) !== -1) {
        const kslack = slack(at(bestedge, b));
        const d = allinteger ? Math.floor(kslack / 2) : kslack / 2;
        if (deltatype === -1 || d < delta) [delta, deltatype, deltaedge] = [d, 3, at(bestedge, b)];
      }
    }
    for (let b = nvertex; b < 2 * nvertex; b++) {
      if (
        at(blossombase, b) >= 0 &&
        at(blossomparent, b) === -1 &&
        at(label, b) === 2 &&
        (deltatype === -1 || at(dualvar, b) < delta)
      )
        [delta, deltatype, deltablossom] = [at(dualvar, b), 4, b];
    }
    if (deltatype === -1) {
      deltatype = 1;
      delta = Math.max(0, minVertexDual());
    }
    for (let v = 0; v < nvertex; v++) {
      const l = at(label, at(inblossom, v));
      if (l === 1) dualvar[v] = at(dualvar, v) - delta;
      else if (l === 2) dualvar[v] = at(dualvar, v) + delta;
    }
    for (let b = nvertex; b < 2 * nvertex; b++) {
      if (at(blossombase, b) >= 0 && at(blossomparent, b) === -1) {
        if (at(label, b) === 1) dualvar[b] = at(dualvar, b) + delta;
        else if (at(label, b) === 2) dualvar[b] = at(dualvar, b) - delta;
      }
    }
    if (deltatype === 1) return false;
    if (deltatype === 2) {
      allowedge[deltaedge] = 1;
      const i = at(label, at(inblossom, at(ei, deltaedge))) === 0 ? at(ej, deltaedge) : at(ei, deltaedge);
      queue.push(i);
    } else if (deltatype === 3) {
      allowedge[deltaedge] = 1;
      queue.push(at(ei, deltaedge));
    } else if (deltatype === 4) {
      expandBlossom(deltablossom, false);
    }
    return true;
  };

  // Each stage looks for one augmenting path; at most n stages.
  for (let stage = 0; stage < nvertex; stage++) {
    label.fill(0);
    bestedge.fill(-1);
    blossombestedges.fill(null, nvertex);
    allowedge.fill(0);
    queue = [];
    for (let v = 0; v < nvertex; v++) {
      if (at(mate, v) === -1 && at(label, at(inblossom, v)) === 0) assignLabel(v, 1, -1);
    }
    let augmented = false;
    for (;;) {
      while (queue.length > 0 && !augmented) {
        const v = queue.pop() as number;
        for (const p of neighbend[v] as number[]) {
          const k = p >> 1;
          const w = at(endpoint, p);
          if (at(inblossom, v) === at(inblossom, w)) continue;
          let kslack = 0;
          if (!allowedge[k]) {
            kslack = slack(k);
            if (kslack <= 0) allowedge[k] = 1;
          }
          if (allowedge[k]) {
            if (at(label, at(inblossom, w)) === 0) {
              assignLabel(w, 2, p ^ 1);
            } else if (at(label, at(inblossom, w)) === 1) {
              const base = scanBlossom(v, w);
              if (base >= 0) addBlossom(base, k);
              else {
                augmentMatching(k);
                augmented = true;
                break;
              }
            } else if (at(label, w) === 0) {
              label[w] = 2;
              labelend[w] = p ^ 1;
            }
          } else if (at(label, at(inblossom, w)) === 1) {
            const b = at(inblossom, v);
            if (at(bestedge, b) === -1 || kslack < slack(at(bestedge, b))) bestedge[b] = k;
          } else if (at(label, w) === 0) {
            if (at(bestedge, w) === -1 || kslack < slack(at(bestedge, w))) bestedge[w] = k;
          }
        }
      }
      if (augmented) break;
      if (!dualStep()) break;
    }
    if (!augmented) break;
    // End of stage: expand S-blossoms whose dual reached zero.
    for (let b = nvertex; b < 2 * nvertex; b++) {
      if (at(blossomparent, b) === -1 && at(blossombase, b) >= 0 && at(label, b) === 1 && at(dualvar, b) === 0)
        expandBlossom(b, true);
    }
  }
  const result = new Int32Array(nvertex).fill(-1);
  for (let v = 0; v < nvertex; v++) if (at(mate, v) >= 0) result[v] = at(endpoint, at(mate, v));
  return result;
};
