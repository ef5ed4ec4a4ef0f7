import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";

/**
 * BENCHMARKS.md holds one section per benchmark between `<!-- bench:NAME -->` markers; a run rewrites only the
 * sections it measured, so benchmarks can be re-run one at a time without losing the others' figures.
 */
const FILE = "BENCHMARKS.md";
const HEADER = `# Benchmarks

Measured by \`npm run bench\` (all) or \`npm run bench -- <name>\` (one), on the standard workloads of
\`../shared/BENCH.md\`. Each section says the machine, the command and the seed it ran with.
`;

export const machine = (): string => {
  const cpu = cpus()[0]?.model ?? "unknown CPU";
  return `${cpus().length} x ${cpu}, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}, ${process.platform}/${process.arch}`;
};

export const writeSection = (name: string, markdown: string): void => {
  const current = existsSync(FILE) ? readFileSync(FILE, "utf8") : HEADER;
  const start = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const block = `${start}\n${markdown.trim()}\n\n_Machine: ${machine()}. Measured ${new Date().toISOString().slice(0, 10)}._\n${end}`;
  const pattern = new RegExp(`${start}[\\s\\S]*?${end}`);
  const next = pattern.test(current) ? current.replace(pattern, block) : `${current.trimEnd()}\n\n${block}\n`;
  writeFileSync(FILE, next);
};

/** A markdown table from a header row and rows. */
export const table = (header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string =>
  [header, header.map(() => "---"), ...rows].map((row) => `| ${row.join(" | ")} |`).join("\n");

/** Milliseconds of `fn`, and its result. */
export const timed = async <T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> => {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
};
