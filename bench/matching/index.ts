import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { defaultPolicy } from "../../core/matching/index.ts";
import { table, writeSection } from "../report.ts";
import type { Variant } from "./generator.ts";
import { type StoreFigures, storeSection } from "./store.ts";
import type { Job } from "./worker.ts";

/**
 * The matching benchmark of ../shared/BENCH.md: the whole batch (planBatch: candidates, scores, pairing) on seeded
 * pools of 1k, 10k and 100k entries, each in its own process for an honest peak RSS; beside it plain greedy on
 * the same candidate edges, the old all-pairs + greedy approach, and the exact maximum-weight matching (blossom
 * algorithm, bench/matching/exact.ts) on pools of 1,000 and 1,500 entries, on the core's top-k candidate edges
 * and on every allowed pair.
 */
const SEED = 20261123;
const QUALITY_SEEDS = [SEED, SEED + 1, SEED + 2, SEED + 3, SEED + 4];
const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url));

type Figures = Record<string, unknown> & { job: Job };
interface Totals {
  pairs: number;
  total: number;
}
interface Batch extends Figures {
  poolRss: number;
  batchMs: number;
  batchPeak: number;
  edges: number;
  greedy: Totals & { ms: number };
  improved: Totals & { ms: number };
}
interface AllPairs extends Figures {
  ms: number;
  peak: number;
  edges: number;
  pairs: number;
  total: number;
}
interface OnGraph {
  edges: number;
  greedy: Totals;
  improved: Totals;
  exact: Totals & { ms: number };
}
interface Quality extends Figures {
  candidates: OnGraph;
  allPairs: OnGraph;
}

const measure = <T extends Figures>(job: Job): T => {
  console.log(`  ${job.kind} ${job.variant} ${job.size} seed ${job.seed}`);
  const child = spawnSync(process.execPath, ["--import", "tsx", WORKER, JSON.stringify(job)], {
    encoding: "utf8",
    maxBuffer: 16 * 2 ** 20,
  });
  if (child.status !== 0) throw new Error(`worker failed for ${JSON.stringify(job)}:\n${child.stderr}`);
  return JSON.parse(child.stdout.trim().split("\n").at(-1) ?? "{}") as T;
};

const n = (value: number): string => value.toLocaleString("en-US");
const s = (ms: number): string => (ms / 1000).toFixed(2);
const mib = (value: number): string => value.toFixed(0);
const score = (value: number): string => value.toFixed(2);
const pct = (part: number, whole: number): string => (whole > 0 ? `${((100 * part) / whole).toFixed(2)}%` : "n/a");
const pool = (job: Job): string => `${n(job.size)}${job.variant === "embeddings" ? " + embeddings" : ""}`;

export const run = async (): Promise<void> => {
  const sizes: Array<[number, Variant]> = [
    [1_000, "plain"],
    [10_000, "plain"],
    [100_000, "plain"],
    [10_000, "embeddings"],
    [100_000, "embeddings"],
  ];
  const batches = sizes.map(([size, variant]) => measure<Batch>({ kind: "batch", size, seed: SEED, variant }));
  const allPairs = [1_000, 10_000].map((size) =>
    measure<AllPairs>({ kind: "allpairs", size, seed: SEED, variant: "plain" }),
  );
  const quality = [
    ...QUALITY_SEEDS.map((seed) => ({ size: 1_500, seed, variant: "plain" as Variant })),
    { size: 1_500, seed: SEED, variant: "embeddings" as Variant },
    { size: 1_000, seed: SEED, variant: "plain" as Variant },
  ].map((job) => measure<Quality>({ kind: "quality", ...job }));
  const storeTable = await storeSection([10_000, 100_000], (size, url) =>
    measure<StoreFigures & Figures>({ kind: "store", size, seed: SEED, variant: "plain", url }),
  );

  const biggest = batches.filter((b) => b.job.size === 100_000);
  const fast = biggest.every((b) => b.batchMs < 20_000 && b.batchPeak < 1024);
  const fractions = quality.flatMap((q) => [q.candidates, q.allPairs].map((g) => g.improved.total / g.exact.total));
  const worst = Math.min(...fractions);
  const neverBelowGreedy =
    batches.every((b) => b.improved.total >= b.greedy.total) &&
    quality.every((q) => [q.candidates, q.allPairs].every((g) => g.improved.total >= g.greedy.total));
  const tenK = batches.find((b) => b.job.size === 10_000 && b.job.variant === "plain");
  const oldTenK = allPairs.find((a) => a.job.size === 10_000);

  const batchTable = table(
    [
      "pool",
      "candidate edges",
      "batch s",
      "peak RSS MiB (pool alone)",
      "pairs",
      "total score",
      "greedy pairs",
      "greedy total",
      "improved / greedy",
    ],
    batches.map((b) => [
      pool(b.job),
      n(b.edges),
      s(b.batchMs),
      `${mib(b.batchPeak)} (${mib(b.poolRss)})`,
      n(b.improved.pairs),
      score(b.improved.total),
      n(b.greedy.pairs),
      score(b.greedy.total),
      pct(b.improved.total, b.greedy.total),
    ]),
  );
  const oldTable = table(
    [
      "pool",
      "allowed pairs (edges)",
      "all pairs + greedy s",
      "peak RSS MiB",
      "pairs",
      "total score",
      "batch s (above)",
      "speed-up",
    ],
    allPairs.map((a) => {
      const ours = batches.find((b) => b.job.size === a.job.size && b.job.variant === "plain");
      return [
        pool(a.job),
        n(a.edges),
        s(a.ms),
        mib(a.peak),
        n(a.pairs),
        score(a.total),
        ours ? s(ours.batchMs) : "n/a",
        ours ? `${(a.ms / ours.batchMs).toFixed(1)}x` : "n/a",
      ];
    }),
  );
  const qualityTable = table(
    [
      "pool",
      "seed",
      "graph",
      "edges",
      "exact total (pairs)",
      "improved: total (pairs)",
      "improved / exact",
      "greedy: total (pairs)",
      "greedy / exact",
    ],
    quality.flatMap((q) =>
      (
        [
          ["top-k candidates", q.candidates],
          ["all allowed pairs", q.allPairs],
        ] as const
      ).map(([name, g]) => [
        pool(q.job),
        q.job.seed,
        name,
        n(g.edges),
        `${score(g.exact.total)} (${g.exact.pairs})`,
        `${score(g.improved.total)} (${g.improved.pairs})`,
        pct(g.improved.total, g.exact.total),
        `${score(g.greedy.total)} (${g.greedy.pairs})`,
        pct(g.greedy.total, g.exact.total),
      ]),
    ),
  );
  const yes = (ok: boolean) => (ok ? "**met**" : "**NOT met**");
  writeSection(
    "matching",
    `## Matching batch

Command: \`npm run bench -- matching\`. Pools: \`bench/matching/generator.ts\` (BENCH.md "Matching pools"), seed ${SEED}
(quality: seeds ${QUALITY_SEEDS[0]}..${QUALITY_SEEDS.at(-1)}). Every row is its own process
(\`node --import tsx bench/matching/worker.ts <job>\`): "batch s" is the wall time of one \`planBatch\` (candidates,
scores, improved pairing and the greedy figure it reports), "peak RSS" the process's maxRSS, which includes Node
and the pool itself ("pool alone": RSS after generating it). "greedy" pairs the same candidate edges by descending
score. Default policy: top ${defaultPolicy.candidatesPerEntry} candidates per entry, at most ${defaultPolicy.scanLimit} scored per entry, components up to ${defaultPolicy.exactComponentLimit} paired exactly.

Goals: 100k entries under 20 s and 1 GB: ${yes(fast)}. At least 99% of the exact optimum: ${yes(worst >= 0.99)} (worst ${pct(worst, 1)}). Never below greedy: ${yes(neverBelowGreedy)}.
${tenK && oldTenK ? `Speed against all pairs + greedy on 10k: ${(oldTenK.ms / tenK.batchMs).toFixed(1)}x.` : ""}

${batchTable}

### Against the old approach (every pair scored, then greedy)

${oldTable}

### Against the exact maximum-weight matching

Exact: Edmonds' blossom algorithm (\`bench/matching/exact.ts\`, a port of van Rantwijk's mwmatching, checked
against brute force in \`exact.test.ts\`). "top-k candidates" is the graph the batch pairs (restricted by top-k);
"all allowed pairs" is every pair the rules allow over the threshold and not declined (no top-k), so its optimum is
the true one.

${qualityTable}

### The matcher on Postgres

\`runMatcher\` with the Postgres store (\`adapters/postgres/matching\`) on an embedded PostgreSQL 17 on this
machine, the pool seeded beforehand: one transaction under the advisory lock, the pool and past pairs loaded in
bulk, the plan, then expiries, promotions and matches written in bulk. "planning s" is planBatch inside it;
"load + store s" the rest. Peak RSS is the worker's (what the matcher Lambda needs), not the database's.

${storeTable}`,
  );
};
