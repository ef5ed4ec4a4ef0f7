/**
 * A business metric of apps/telemetry.ts as CloudWatch stores it for one stack: its namespace, its name, and its
 * dimensions (`Stack` = the stage, plus its own dimension's value where it has one). Alarms and the dashboard
 * build their metrics here, from the catalogue, so no name is retyped.
 */
import {
  type DimensionValue,
  METRICS,
  type MetricName,
  type MetricSpec,
  NAMESPACES,
  STACK_DIMENSION,
} from "../../apps/telemetry.ts";

export const namespaceOf = (name: MetricName): string => NAMESPACES[METRICS[name].capability];

/** The values of the metric's own dimension, or `[undefined]` when it has only `Stack`. */
export const dimensionValuesOf = (name: MetricName): readonly (string | undefined)[] =>
  (METRICS[name] as MetricSpec).dimension?.values ?? [undefined];

/** `{Stack: <stage>}`, plus `{<its dimension>: value}` when a value is given (one of its values, or it throws). */
export const dimensionsOf = (name: MetricName, stage: string, value?: string): Record<string, string> => {
  const own = (METRICS[name] as MetricSpec).dimension;
  if (value === undefined) return { [STACK_DIMENSION]: stage };
  if (!own?.values.includes(value)) throw new Error(`${name} has no dimension value ${value}`);
  return { [STACK_DIMENSION]: stage, [own.name]: value };
};

/** `namespace`, `metricName` and `dimensions` of a metric alarm on one combination of the metric. */
export const alarmMetric = <N extends MetricName>(name: N, stage: string, value?: DimensionValue<N>) => ({
  namespace: namespaceOf(name),
  metricName: name,
  dimensions: dimensionsOf(name, stage, value as string | undefined),
});
