import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { BUNDLE_OPTIONS, functions } from "../apps/manifest.ts";
import { lambdaEnvironment } from "../infra/lambda-environment.ts";
import { table, writeSection } from "./report.ts";

/**
 * Each function's bundle as infra/ builds it: minified and gzipped size, and import time (median of 20 fresh
 * `node` processes importing it, minus the median of bare `node`). Goals: < 300 KB minified, < 100 ms import.
 * Each bundle runs with the environment infra/ gives its function in staging (only that, not this shell's): a
 * handler reads and checks it at import, and without it stops with a ConfigError.
 */
const RUNS = 20;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

// Only `env`: the bundle must not lean on this shell's variables (DATABASE_URL, AWS_PROFILE, ...).
const nodeMs = (args: string[], env: Record<string, string> = {}): number => {
  const start = process.hrtime.bigint();
  execFileSync(process.execPath, args, {
    stdio: ["ignore", "ignore", "pipe"],
    env,
  });
  return Number(process.hrtime.bigint() - start) / 1e6;
};

/** What a bundle is made of, by npm package (or top-level project folder), largest first. */
const largestPackages = (inputs: Record<string, { bytesInOutput: number }>, top = 4): Array<[string, number]> => {
  const sizes = new Map<string, number>();
  for (const [path, input] of Object.entries(inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? path.split("/").slice(0, 2).join("/");
    sizes.set(name, (sizes.get(name) ?? 0) + input.bytesInOutput);
  }
  return [...sizes].sort((a, b) => b[1] - a[1]).slice(0, top);
};

export const run = async (): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), "rendezvous-bundles-"));
  // Import times are wall clock: on a shared machine they say as much about the load as about the bundle.
  const loadAtStart = loadavg()[0] ?? 0;
  try {
    const bare = median(Array.from({ length: RUNS }, () => nodeMs(["-e", "0"])));
    const rows: Array<Array<string | number>> = [];
    for (const fn of functions) {
      const outfile = join(dir, `${fn.name}.mjs`);
      const { metafile } = await build({
        ...BUNDLE_OPTIONS,
        mainFields: [...BUNDLE_OPTIONS.mainFields],
        entryPoints: [fn.entry],
        outfile,
        metafile: true,
        logLevel: "error",
      });
      const code = readFileSync(outfile);
      const env = lambdaEnvironment(fn);
      const importMs = median(Array.from({ length: RUNS }, () => nodeMs([outfile], env))) - bare;
      const kb = (bytes: number) => (bytes / 1024).toFixed(1);
      const verdict = code.length < 300 * 1024 && importMs < 100 ? "yes" : "no";
      const heaviest = largestPackages(Object.values(metafile.outputs)[0]?.inputs ?? {})
        .map(([name, bytes]) => `${name} ${kb(bytes)}`)
        .join(", ");
      rows.push([fn.name, kb(code.length), kb(gzipSync(code).length), importMs.toFixed(1), verdict, heaviest]);
    }
    writeSection(
      "bundles",
      `## Function bundles\n\nCommand: \`npm run bench -- bundles\`. esbuild with the manifest's BUNDLE_OPTIONS; import time is the median of ${RUNS} \`node <bundle>\` processes, each with its function's staging environment, minus bare \`node\` (${bare.toFixed(1)} ms). The machine's 1-minute load average was ${loadAtStart.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end.\n\n${table(["function", "minified KB", "gzipped KB", "import ms", "within goal (<300 KB, <100 ms)", "largest parts (KB)"], rows)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
