/**
 * The local stand-in for CloudWatch's side of the embedded metric format: each EMF line a function writes
 * becomes data points of the metrics it declares, kept per (namespace, name, dimension values) with totals and
 * the recent values. Lines that are not EMF are left to the log.
 */
export interface MetricSeries {
  readonly namespace: string;
  readonly name: string;
  readonly unit: string;
  readonly dimensions: Readonly<Record<string, string>>;
  count: number;
  sum: number;
  min: number;
  max: number;
  last: number;
  readonly recent: Array<{ readonly time: string; readonly value: number }>;
}

export interface MetricStore {
  /** Takes the line's data points if it is an EMF line; false otherwise. */
  accept(line: unknown): boolean;
  list(filter?: { readonly namespace?: string }): MetricSeries[];
}

const KEPT_VALUES = 60;

interface EmfDirective {
  readonly Namespace: string;
  readonly Dimensions: readonly (readonly string[])[];
  readonly Metrics: readonly { readonly Name: string; readonly Unit?: string }[];
}

const directivesOf = (line: unknown): { record: Record<string, unknown>; directives: EmfDirective[] } | undefined => {
  if (typeof line !== "object" || line === null || !("_aws" in line)) return undefined;
  const record = line as Record<string, unknown>;
  const aws = record._aws as { CloudWatchMetrics?: unknown; Timestamp?: unknown } | null;
  if (!aws || !Array.isArray(aws.CloudWatchMetrics)) return undefined;
  return { record, directives: aws.CloudWatchMetrics as EmfDirective[] };
};

/** A value as CloudWatch reads it: a number, or an array of numbers (several values in one line). */
const valuesOf = (value: unknown): number[] =>
  (Array.isArray(value) ? value : [value]).filter((item): item is number => typeof item === "number");

export const makeMetricStore = (): MetricStore => {
  const series = new Map<string, MetricSeries>();
  const add = (namespace: string, name: string, unit: string, dimensions: Record<string, string>, value: number) => {
    const key = JSON.stringify([namespace, name, Object.entries(dimensions).sort()]);
    let entry = series.get(key);
    if (!entry) {
      entry = { namespace, name, unit, dimensions, count: 0, sum: 0, min: value, max: value, last: value, recent: [] };
      series.set(key, entry);
    }
    entry.count += 1;
    entry.sum += value;
    entry.min = Math.min(entry.min, value);
    entry.max = Math.max(entry.max, value);
    entry.last = value;
    entry.recent.push({ time: new Date().toISOString(), value });
    if (entry.recent.length > KEPT_VALUES) entry.recent.shift();
  };
  return {
    accept: (line) => {
      const found = directivesOf(line);
      if (!found) return false;
      const { record, directives } = found;
      for (const directive of directives) {
        for (const dimensionSet of directive.Dimensions ?? []) {
          const dimensions = Object.fromEntries(dimensionSet.map((name) => [name, String(record[name] ?? "")]));
          for (const metric of directive.Metrics ?? []) {
            for (const value of valuesOf(record[metric.Name])) {
              add(directive.Namespace, metric.Name, metric.Unit ?? "None", dimensions, value);
            }
          }
        }
      }
      return true;
    },
    list: (filter = {}) =>
      [...series.values()]
        .filter((entry) => filter.namespace === undefined || entry.namespace === filter.namespace)
        .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name)),
  };
};
