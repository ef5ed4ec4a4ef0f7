/** The estimate as `npm run cost` prints it: aligned lines, the fixed total, then the per-million rates. */
import type { Estimate } from "./estimate.ts";

const usd = (n: number) => `$${n.toFixed(2)}`.padStart(9);

export const formatEstimate = (stack: string, e: Estimate, pricesTaken: string): string => {
  const width = Math.max(...[...e.lines].sort((a, b) => b.monthly - a.monthly).map((l) => l.name.length), 10);
  const lines = [
    `${stack} in ${e.region}, list prices of ${pricesTaken}, no free tier`,
    "",
    "fixed monthly cost, per billable resource:",
    ...[...e.lines]
      .sort((a, b) => b.monthly - a.monthly)
      .map((l) => `  ${usd(l.monthly)}  ${l.name.padEnd(width)}  ${l.type}  (${l.basis})`),
    `  ${usd(e.fixedMonthly)}  TOTAL fixed per month (${e.free.length} more resources are free)`,
    "",
    `custom metrics (apps/telemetry.ts): ${e.customMetrics.combinations} name + dimension-value combinations, each`,
    "billed per hour in which it receives data. Assumed: with no traffic only scheduled runs emit, each run in an hour",
    "of its own (what they emit: the business-metrics line); the rest comes with traffic (infra/cost/custom-metrics.ts).",
    `  ${usd(e.customMetrics.idleMonthly)}  idle, in the total above`,
    `  ${usd(e.customMetrics.ceilingMonthly)}  at most, every combination receiving data every hour`,
    "",
    "marginal cost per million invocations (requests + GB-seconds, arm64):",
    ...e.functions.map(
      (f) => `  ${usd(f.perMillion)}  ${f.name.padEnd(16)} ${String(f.memoryMb).padStart(5)} MB × ${f.typicalMs} ms`,
    ),
  ];
  return lines.join("\n");
};
