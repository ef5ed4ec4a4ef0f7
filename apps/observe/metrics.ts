import {
  type DimensionValue,
  METRICS,
  type MetricName,
  NAMESPACES,
  OBSERVABILITY_ENV,
  STACK_DIMENSION,
} from "../telemetry.ts";

/**
 * Business metrics as CloudWatch embedded metric format: one JSON line on stdout per datum, which CloudWatch
 * Logs turns into a metric without an API call (so no permission, no latency, no SDK at cold start). The
 * catalogue (apps/telemetry.ts) fixes each metric's namespace, unit and dimension; the `Stack` dimension is
 * the stage infra writes, so staging and production in one account never mix.
 */
type Args<N extends MetricName> = [DimensionValue<N>] extends [never]
  ? [value?: number]
  : [dimension: DimensionValue<N>, value?: number];

export type RecordMetric = <N extends MetricName>(name: N, ...args: Args<N>) => void;

const stdout = (line: string) => {
  process.stdout.write(`${line}\n`);
};

/** The EMF line of one datum (exported for the local runtime's reader and the tests). */
export const emfLine = (name: MetricName, value: number, dimensionValue?: string, now = Date.now()): string => {
  const spec: { capability: keyof typeof NAMESPACES; unit: string; dimension?: { name: string } } = METRICS[name];
  const stage = process.env[OBSERVABILITY_ENV.stage] ?? "local";
  const own = spec.dimension && dimensionValue !== undefined ? { [spec.dimension.name]: dimensionValue } : {};
  return JSON.stringify({
    _aws: {
      Timestamp: now,
      CloudWatchMetrics: [
        {
          Namespace: NAMESPACES[spec.capability],
          Dimensions: [[STACK_DIMENSION, ...Object.keys(own)]],
          Metrics: [{ Name: name, Unit: spec.unit }],
        },
      ],
    },
    [STACK_DIMENSION]: stage,
    ...own,
    [name]: value,
  });
};

export const makeMetrics =
  (write: (line: string) => void = stdout): RecordMetric =>
  (name, ...args) => {
    const [first, second] = args as readonly (string | number | undefined)[];
    const dimension = typeof first === "string" ? first : undefined;
    const value = typeof first === "number" ? first : typeof second === "number" ? second : 1;
    // A metric is never worth failing a request: a write error is dropped.
    try {
      write(emfLine(name, value, dimension));
    } catch {}
  };

/** The process's metrics: stdout, as Lambda forwards it to CloudWatch Logs. */
export const recordMetric: RecordMetric = makeMetrics();
