import { greedyPairing, improvedPairing, planBatch } from "../../core/matching/index.ts";
import { allPairsEdges, benchPolicy, candidateEdges, exactPairing, profilesFor } from "./approaches.ts";
import { generatePool, type Variant } from "./generator.ts";
import { measureStoreBatch } from "./store.ts";

/**
 * One measurement in its own process, so that one pool's memory never counts toward another's peak RSS.
 * `node --import tsx bench/matching/worker.ts '<job JSON>'` prints one JSON line with the figures.
 *
 *   batch:    the whole planBatch (candidates, scores, pairing), then the same edges paired greedy and improved
 *   allpairs: the old product: every pair scored, then greedy
 *   quality:  greedy, improved and exact on the core's candidate edges, and on all allowed pairs
 *   store:    the matcher end to end on Postgres (bench/matching/store.ts)
 */
export type Job =
  | { readonly kind: "batch"; readonly size: number; readonly seed: number; readonly variant: Variant }
  | { readonly kind: "allpairs"; readonly size: number; readonly seed: number; readonly variant: Variant }
  | { readonly kind: "quality"; readonly size: number; readonly seed: number; readonly variant: Variant }
  | {
      readonly kind: "store";
      readonly size: number;
      readonly seed: number;
      readonly variant: Variant;
      /** The database to seed and run the matcher on. */
      readonly url: string;
    };

const peakMiB = (): number => process.resourceUsage().maxRSS / 1024;
const rssMiB = (): number => process.memoryUsage().rss / 2 ** 20;
const ms = (start: number): number => performance.now() - start;

const measure = (job: Exclude<Job, { kind: "store" }>): Record<string, unknown> => {
  const pool = generatePool(job.size, job.seed, job.variant);
  const policy = benchPolicy(pool);
  const poolRss = rssMiB();
  if (job.kind === "batch") {
    let start = performance.now();
    const plan = planBatch({ entries: pool.entries, blockedPairs: pool.blocked, policy, now: pool.now });
    const batchMs = ms(start);
    const batchPeak = peakMiB();
    // The pieces, on the same vertices and edges as the batch, to compare the two pairings.
    start = performance.now();
    const profiles = profilesFor(pool, policy);
    const edges = candidateEdges(pool, policy, profiles);
    const candidatesMs = ms(start);
    start = performance.now();
    const greedy = greedyPairing(profiles.length, edges);
    const greedyMs = ms(start);
    start = performance.now();
    const improved = improvedPairing(profiles.length, edges, { exactComponentLimit: policy.exactComponentLimit });
    const improvedMs = ms(start);
    return {
      poolRss,
      batchMs,
      batchPeak,
      figures: plan.figures,
      candidatesMs,
      edges: edges.length,
      greedy: { ms: greedyMs, pairs: greedy.pairs.length, total: greedy.total },
      improved: { ms: improvedMs, pairs: improved.pairs.length, total: improved.total },
    };
  }
  const profiles = profilesFor(pool, policy);
  if (job.kind === "allpairs") {
    const start = performance.now();
    const edges = allPairsEdges(pool, policy, profiles);
    const greedy = greedyPairing(profiles.length, edges);
    return {
      poolRss,
      ms: ms(start),
      peak: peakMiB(),
      edges: edges.length,
      pairs: greedy.pairs.length,
      total: greedy.total,
    };
  }
  const on = (edges: ReturnType<typeof allPairsEdges>) => {
    const greedy = greedyPairing(profiles.length, edges);
    const improved = improvedPairing(profiles.length, edges, { exactComponentLimit: policy.exactComponentLimit });
    const start = performance.now();
    const exact = exactPairing(edges);
    return {
      edges: edges.length,
      greedy: { pairs: greedy.pairs.length, total: greedy.total },
      improved: { pairs: improved.pairs.length, total: improved.total },
      exact: { ...exact, ms: ms(start) },
    };
  };
  return {
    candidates: on(candidateEdges(pool, policy, profiles)),
    allPairs: on(allPairsEdges(pool, policy, profiles)),
  };
};

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const figures = job.kind === "store" ? await measureStoreBatch(job.size, job.seed, job.url) : measure(job);
console.log(JSON.stringify({ job, ...figures }));
