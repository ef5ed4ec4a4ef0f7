import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { BUNDLE_OPTIONS, functions } from "../apps/manifest.ts";
import { lambdaEnvironment } from "../infra/lambda-environment.ts";
import { table, writeSection } from "./report.ts";

/**
 * Each function's bundle as infra/ builds it: minified and gzipped size, and its import (the module graph's
 * evaluation, which Lambda's init phase pays on a cold start): wall and CPU milliseconds measured inside each of 20
 * fresh `node` processes, medians. Both grow with the machine's load (a shared 2-core machine at load 8 made them
 * 4-10x slower), so the section states the load, and the import goal is judged only on a quiet machine. Goals:
 * < 300 KB minified, < 100 ms import. Each process gets the environment infra/ gives the function in staging and
 * nothing of this shell's: a handler reads and checks it at import.
 */
const RUNS = 20;
/** The 1-minute load average under which import times are judged against the goal. */
const QUIET_LOAD = 1.5;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Imports the bundle in a fresh process and reports the import's wall and CPU (user + system) milliseconds. */
const timeImport = (file: string, env: Record<string, string>): { wallMs: number; cpuMs: number } => {
  const script = [
    "const cpu = process.cpuUsage(); const start = performance.now();",
    `await import(${JSON.stringify(pathToFileURL(file).href)});`,
    "const used = process.cpuUsage(cpu);",
    "console.log(JSON.stringify({ wallMs: performance.now() - start, cpuMs: (used.user + used.system) / 1000 }));",
    "process.exit(0);",
  ].join("\n");
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], { env, encoding: "utf8" });
  return JSON.parse(out.trim().split("\n").pop() ?? "{}") as { wallMs: number; cpuMs: number };
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
  // Wall times on a shared machine say as much about the load as about the bundle: the section states it.
  const loadAtStart = loadavg()[0] ?? 0;
  const quiet = loadAtStart < QUIET_LOAD;
  try {
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
      const times = Array.from({ length: RUNS }, () => timeImport(outfile, env));
      const wallMs = median(times.map((t) => t.wallMs));
      const cpuMs = median(times.map((t) => t.cpuMs));
      const kb = (bytes: number) => (bytes / 1024).toFixed(1);
      const size = code.length < 300 * 1024 ? "size yes" : "size no";
      const verdict = quiet ? `${size}, import ${cpuMs < 100 ? "yes" : "no"}` : `${size}, import not judged (load)`;
      const heaviest = largestPackages(Object.values(metafile.outputs)[0]?.inputs ?? {})
        .map(([name, bytes]) => `${name} ${kb(bytes)}`)
        .join(", ");
      const sizes = [kb(code.length), kb(gzipSync(code).length)];
      rows.push([fn.name, ...sizes, cpuMs.toFixed(1), wallMs.toFixed(1), verdict, heaviest]);
    }
    writeSection(
      "bundles",
      `## Function bundles\n\nCommand: \`npm run bench -- bundles\`. esbuild with the manifest's BUNDLE_OPTIONS; import times are medians of ${RUNS} fresh \`node\` processes, each with its function's staging environment, timing \`await import(bundle)\` inside the process (Node's own start excluded); both grow with the machine's load, so the import goal is judged (on CPU time) only below a load average of ${QUIET_LOAD}. The machine's 1-minute load average was ${loadAtStart.toFixed(1)} at the start and ${(loadavg()[0] ?? 0).toFixed(1)} at the end.\n\n${table(["function", "minified KB", "gzipped KB", "import CPU ms", "import wall ms", "within goal (<300 KB, <100 ms)", "largest parts (KB)"], rows)}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
