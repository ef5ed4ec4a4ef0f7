/**
 * The alarms on the platform: each function's errors and throttles, the deliveries queue's depth, every dead-letter
 * queue, the database's CPU and storage. Plain specs; Alarms.ts creates them.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { AlarmsArgs, WatchedFunction } from "./Alarms.ts";
import { type AlarmSpec, described } from "./alarm-spec.ts";

const FIVE_MINUTES = 300;

/** The stack's dead-letter queues, each with what to check first when a message lands there. */
const DEAD_LETTER_RUNBOOKS = {
  "deliveries-dlq":
    "the dispatcher's log lines with level error for the message's delivery_id (read the DLQ without deleting); " +
    "redrive it once the receiver or the cause is fixed",
  "schedules-dlq":
    "EventBridge Scheduler could not invoke a target: the schedule's target (the function's live alias), the " +
    "scheduler role's lambda:InvokeFunction and the function's throttles",
  "async-dlq":
    "a scheduled invocation failed after Lambda's 2 retries: the message names the function and its error; that " +
    "function's log lines with level error at that time",
} as const;
export type DeadLetterLabel = keyof typeof DEAD_LETTER_RUNBOOKS;

/**
 * Where an operator looks first when a function's errors alarm (the log lines carry the failing dependency); for
 * the queue consumer (the dispatcher), also what the receivers answered.
 */
const errorLogs = (fn: WatchedFunction) =>
  `the ${fn.name} function's log lines with level error in CloudWatch Logs Insights (error.dependency names a ` +
  `failing dependency, error.name a defect), then the "${fn.name}: invocations, errors, throttles" widget` +
  (fn.errorPolicy === "queue" ? `; the receiver's status codes in "Deliveries by Outcome"` : "");

export const platformAlarms = (args: AlarmsArgs): AlarmSpec[] => {
  const specs: AlarmSpec[] = [];
  const alarm = (id: string, description: string, settings: AlarmSpec["settings"]) =>
    specs.push({ id, description, settings });
  const lambdaMetric = (fn: WatchedFunction, metricName: string, threshold: number) => ({
    namespace: "AWS/Lambda",
    metricName,
    dimensions: { FunctionName: fn.functionName },
    statistic: "Sum",
    period: FIVE_MINUTES,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold,
  });

  for (const fn of args.functions) {
    if (fn.errorPolicy === "queue") {
      const what = `${fn.name}: more than 10% of invocations failed in 5 minutes`;
      alarm(`${fn.name}-error-rate`, described(what, errorLogs(fn)), {
        comparisonOperator: "GreaterThanThreshold",
        threshold: 10,
        evaluationPeriods: 1,
        metricQueries: [
          {
            id: "rate",
            // IF, not a division alone: an idle function (no invocations) has a rate of 0, not a missing point.
            expression: "IF(invocations > 0, 100 * errors / invocations, 0)",
            label: "error rate (%)",
            returnData: true,
          },
          // PutMetricAlarm wants exactly one query returning data: the rate, not its inputs.
          ...(["Errors", "Invocations"] as const).map((metricName) => ({
            id: metricName.toLowerCase(),
            returnData: false,
            metric: {
              namespace: "AWS/Lambda",
              metricName,
              dimensions: { FunctionName: fn.functionName },
              stat: "Sum",
              period: FIVE_MINUTES,
            },
          })),
        ],
      });
    } else {
      const threshold = fn.errorPolicy === "scheduled" ? 3 : 0;
      const what = `${fn.name}: more than ${threshold} errors in 5 minutes`;
      alarm(`${fn.name}-errors`, described(what, errorLogs(fn)), lambdaMetric(fn, "Errors", threshold));
    }
    const throttled = described(
      `${fn.name}: invocations throttled`,
      `its reserved concurrency (rendezvous:reservedConcurrency, else the manifest's) against the "${fn.name}: ` +
        `invocations, errors, throttles" widget: a burst above it is refused`,
    );
    alarm(`${fn.name}-throttles`, throttled, lambdaMetric(fn, "Throttles", 0));
  }

  const queueMetric = (queueName: pulumi.Input<string>, threshold: number, period: number) => ({
    namespace: "AWS/SQS",
    metricName: "ApproximateNumberOfMessagesVisible",
    dimensions: { QueueName: queueName },
    statistic: "Maximum",
    period,
    evaluationPeriods: 1,
    comparisonOperator: "GreaterThanThreshold",
    threshold,
  });
  const depth = args.queueDepthThreshold ?? 1000;
  const waiting = described(
    `more than ${depth} deliveries waiting`,
    'the "dispatcher: invocations, errors, throttles" widget (is it consuming?); a burst of due deliveries at the ' +
      'send time drains on its own, "Deliveries by Outcome" shows how fast',
  );
  alarm("deliveries-depth", waiting, queueMetric(args.deliveriesQueueName, depth, FIVE_MINUTES));
  for (const dlq of args.deadLetterQueues) {
    const what = `a message reached the ${dlq.label} dead-letter queue`;
    alarm(`${dlq.label}-not-empty`, described(what, DEAD_LETTER_RUNBOOKS[dlq.label]), queueMetric(dlq.name, 0, 60));
  }

  const rds = (metricName: string, statistic: string) => ({
    namespace: "AWS/RDS",
    metricName,
    dimensions: { DBInstanceIdentifier: args.dbInstanceIdentifier },
    statistic,
    period: FIVE_MINUTES,
  });
  const cpu = described(
    "database CPU above 80% for 15 minutes",
    `connections in the "database" widget and "Batch duration (ms)" (a matcher batch holds the CPU while it ` +
      `runs), then the functions whose invocations rose at that time`,
  );
  alarm("database-cpu", cpu, {
    ...rds("CPUUtilization", "Average"),
    evaluationPeriods: 3,
    comparisonOperator: "GreaterThanThreshold",
    threshold: 80,
  });
  const storage = args.freeStorageBytesThreshold ?? 2 * 1024 ** 3;
  const full = described(
    "database free storage below 2 GiB",
    "FreeStorageSpace in the RDS console over the last weeks (steady growth or a sudden jump?); raise " +
      "rendezvous:dbAllocatedStorageGb, which RDS applies without downtime",
  );
  alarm("database-free-storage", full, {
    ...rds("FreeStorageSpace", "Minimum"),
    evaluationPeriods: 1,
    comparisonOperator: "LessThanThreshold",
    threshold: storage,
  });

  return specs;
};
