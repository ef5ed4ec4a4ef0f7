/**
 * The dashboard's business widgets: one per question an operator asks of the metrics of apps/telemetry.ts, each
 * line one combination of a metric (its own dimension's values one line each), plus the deliveries queue's oldest
 * message age. The alarms' runbook lines name these widgets by their titles.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MetricName } from "../../apps/telemetry.ts";
import { dimensionsOf, dimensionValuesOf, namespaceOf } from "./business-metric.ts";

export interface WidgetSpec {
  readonly title: string;
  /** The widget's statistic for lines that do not set their own. */
  readonly stat: string;
  /** CloudWatch's metric arrays: namespace, name, dimension name/value pairs, then options. */
  readonly metrics: unknown[][];
}

/** A metric's lines: one per value of its own dimension (labelled with it), or one line. */
const linesOf = (name: MetricName, stage: string, options: { stat?: string; label?: string } = {}): unknown[][] =>
  dimensionValuesOf(name).map((value) => {
    const dimensions = Object.entries(dimensionsOf(name, stage, value)).flat();
    const label = options.label ?? (value === undefined ? name : `${name} ${value}`);
    return [namespaceOf(name), name, ...dimensions, { ...options, label }];
  });

export const businessWidgets = (stage: string, deliveriesQueueName: pulumi.Input<string>): WidgetSpec[] => [
  { title: "Deliveries by Outcome", stat: "Sum", metrics: linesOf("Deliveries", stage) },
  {
    title: "Delivery lateness p50, p99 (ms)",
    stat: "p99",
    metrics: ["p50", "p99"].flatMap((stat) => linesOf("DeliveryLateness", stage, { stat, label: stat })),
  },
  { title: "Dead-lettered deliveries", stat: "Sum", metrics: linesOf("DeadLettered", stage) },
  {
    title: "deliveries queue: oldest message age (s)",
    stat: "Maximum",
    metrics: [["AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", deliveriesQueueName]],
  },
  {
    title: "Sessions created, revoked by Scope",
    stat: "Sum",
    metrics: [...linesOf("SessionsCreated", stage), ...linesOf("SessionsRevoked", stage)],
  },
  { title: "Sessions validated by Result", stat: "Sum", metrics: linesOf("SessionsValidated", stage) },
  { title: "Sign-in failures by Reason", stat: "Sum", metrics: linesOf("SignInFailures", stage) },
  { title: "Batch runs by Outcome", stat: "Sum", metrics: linesOf("BatchRuns", stage) },
  { title: "Pool size", stat: "Maximum", metrics: linesOf("PoolSize", stage) },
  { title: "Pairs by Tier", stat: "Sum", metrics: linesOf("Pairs", stage) },
  { title: "Batch duration (ms)", stat: "Maximum", metrics: linesOf("BatchDuration", stage) },
  { title: "Match responses: accepted, declined", stat: "Sum", metrics: linesOf("MatchResponses", stage) },
];
