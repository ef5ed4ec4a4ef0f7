/**
 * What the business metrics (apps/telemetry.ts, CloudWatch embedded metric format) cost. CloudWatch bills every
 * name + dimension-value combination as one custom metric (`Stack` is one value per stack), prorated by the hour
 * and only for the hours in which it receives data. So the fixed part is what an idle stack emits, and the rest
 * grows with traffic up to every combination in every hour.
 *
 * Assumed (the emitter is apps/observe/metrics.ts): with no traffic, only scheduled runs emit, and a run emits
 * in its own hour. The matcher on an empty pool emits BatchRuns (Outcome=completed), PoolSize and BatchDuration,
 * but no Pairs or MatchResponses; the scheduler's tick with nothing due emits nothing (Deliveries, lateness and
 * dead letters come with deliveries); sessions metrics come with requests.
 */
import { METRICS, type MetricSpec } from "../../apps/telemetry.ts";
import { HOURS_PER_MONTH, type RegionPrices } from "./prices.ts";
import { invocationsPerMonth } from "./usage.ts";

/** Per scheduled function: the combinations each of its runs emits when the stack has no traffic. */
export const IDLE_METRICS: Readonly<Record<string, readonly string[]>> = {
  matcher: ["BatchRuns Outcome=completed", "PoolSize", "BatchDuration"],
};

/** Every name + dimension-value combination of the catalogue: the most a stack can be billed for. */
export const METRIC_COMBINATIONS = Object.values(METRICS).reduce(
  (n, spec: MetricSpec) => n + (spec.dimension?.values.length ?? 1),
  0,
);

export interface ScheduledRuns {
  /** The manifest's function name. */
  readonly name: string;
  readonly expression: string;
}

export interface CustomMetricsCost {
  readonly combinations: number;
  /** USD per month with no traffic: the idle combinations, for the hours the schedules' runs fall in. */
  readonly idleMonthly: number;
  /** USD per month if every combination received data every hour. */
  readonly ceilingMonthly: number;
  readonly basis: string;
}

/** The custom metrics' cost from the enabled schedules (a disabled one emits nothing). */
export const customMetricsCost = (schedules: readonly ScheduledRuns[], p: RegionPrices): CustomMetricsCost => {
  const perHour = p.customMetricMonth / HOURS_PER_MONTH;
  const idle = schedules.flatMap((s) => {
    const combinations = IDLE_METRICS[s.name] ?? [];
    // At most one billed hour per hour, however often the schedule runs.
    const hours = Math.min(HOURS_PER_MONTH, invocationsPerMonth(s.expression));
    return combinations.length > 0 ? [{ ...s, combinations, hours }] : [];
  });
  const idleMonthly = idle.reduce((sum, s) => sum + s.combinations.length * s.hours * perHour, 0);
  const described = idle.map((s) => `${s.name}: ${s.combinations.join(", ")}, ${Math.round(s.hours)} h/month`);
  return {
    combinations: METRIC_COMBINATIONS,
    idleMonthly,
    ceilingMonthly: METRIC_COMBINATIONS * p.customMetricMonth,
    basis: `custom metrics while idle (${described.join("; ") || "none"})`,
  };
};
