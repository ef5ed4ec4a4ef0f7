/**
 * The alarms that say whether the product works, on the business metrics of apps/telemetry.ts and the deliveries
 * queue: late and dead-lettered deliveries, a spike of failed sign-ins, a matcher that stopped running, deliveries
 * waiting too long. Plain specs; Alarms.ts creates them on the stack's topic.
 */
import type * as pulumi from "@pulumi/pulumi";
import { METRICS } from "../../apps/telemetry.ts";
import { type AlarmSpec, described } from "./alarm-spec.ts";
import { alarmMetric } from "./business-metric.ts";

/** Per stack (`rendezvous:alarmThresholds`). */
export interface AlarmThresholds {
  /** DeliveryLateness p99 over 5 minutes above this alarms. */
  readonly lateDeliveryP99Ms: number;
  /** Sign-ins refused (every reason together) in 5 minutes above this alarms. */
  readonly signInFailuresPer5Minutes: number;
  /** The deliveries queue's oldest message older than this alarms. */
  readonly oldestDeliveryAgeSeconds: number;
}

export interface BusinessAlarmsArgs {
  /** The `Stack` dimension's value. */
  readonly stage: string;
  readonly thresholds: AlarmThresholds;
  readonly deliveriesQueueName: pulumi.Input<string>;
  /** The matcher schedule's longest gap between runs; absent (no alarm) when it is paused or not in the stack. */
  readonly matcherPeriodSeconds?: number;
}

const FIVE_MINUTES = 300;

/** `15 minutes`, `3 hours`, `2.5 days`. */
const duration = (seconds: number): string => {
  const [amount, unit] =
    seconds < 2 * 3600
      ? [seconds / 60, "minutes"]
      : seconds < 2 * 86400
        ? [seconds / 3600, "hours"]
        : [seconds / 86400, "days"];
  return `${Math.round(amount * 10) / 10} ${unit}`;
};

export const businessAlarms = (args: BusinessAlarmsArgs): AlarmSpec[] => {
  const { stage, thresholds } = args;
  const overFiveMinutes = { period: FIVE_MINUTES, evaluationPeriods: 1 };
  const specs: AlarmSpec[] = [
    {
      id: "late-deliveries",
      description: described(
        `delivery lateness p99 above ${duration(thresholds.lateDeliveryP99Ms / 1000)} over 5 minutes`,
        'the widgets "deliveries queue: oldest message age (s)" and "dispatcher: invocations, errors, throttles" (is the ' +
          "dispatcher keeping up?), then the receiver's retries in \"Deliveries by Outcome\" and the scheduler's log " +
          "lines with level error in CloudWatch Logs Insights",
      ),
      settings: {
        ...alarmMetric("DeliveryLateness", stage),
        extendedStatistic: "p99",
        ...overFiveMinutes,
        comparisonOperator: "GreaterThanThreshold",
        threshold: thresholds.lateDeliveryP99Ms,
      },
    },
    {
      id: "dead-lettered",
      description: described(
        "a delivery was given up and sent to the dead-letter queue",
        "the dispatcher's log lines with level error in CloudWatch Logs Insights for the dead-lettered delivery_id; " +
          'the receiver\'s status codes in "Deliveries by Outcome"; redrive the deliveries DLQ once the cause is fixed',
      ),
      settings: {
        ...alarmMetric("DeadLettered", stage),
        statistic: "Sum",
        ...overFiveMinutes,
        comparisonOperator: "GreaterThanOrEqualToThreshold",
        threshold: 1,
      },
    },
    {
      id: "sign-in-failures",
      description: described(
        `more than ${thresholds.signInFailuresPer5Minutes} sign-ins refused in 5 minutes`,
        '"Sign-in failures by Reason": invalid_token or subject_mismatch from one provider points at its audience or ' +
          "JWKS (rendezvous:oidcProviders) or at credential stuffing, invalid_request at a client release; then the " +
          "sessions function's log lines with level warn",
      ),
      settings: {
        ...overFiveMinutes,
        comparisonOperator: "GreaterThanThreshold",
        threshold: thresholds.signInFailuresPer5Minutes,
        // A SEARCH expression is not allowed in an alarm: each reason's metric explicitly, summed. SUM of an
        // array counts the reasons that have data; with none, the point is missing (not breaching).
        metricQueries: [
          {
            id: "failures",
            expression: `SUM([${METRICS.SignInFailures.dimension.values.map((_, i) => `r${i}`).join(", ")}])`,
            label: "sign-in failures",
            returnData: true,
          },
          ...METRICS.SignInFailures.dimension.values.map((reason, i) => ({
            id: `r${i}`,
            returnData: false,
            metric: { ...alarmMetric("SignInFailures", stage, reason), stat: "Sum", period: FIVE_MINUTES },
          })),
        ],
      },
    },
    {
      id: "deliveries-oldest-age",
      description: described(
        `a delivery has waited in the queue more than ${duration(thresholds.oldestDeliveryAgeSeconds)}`,
        'the "dispatcher: invocations, errors, throttles" widget and its event source mapping (enabled?); its retries wait ' +
          "30 s to 4 min between the 5 receives, so a message this old is not being consumed, or a receiver asked " +
          "for a long Retry-After (the dispatcher's log lines with level warn)",
      ),
      settings: {
        namespace: "AWS/SQS",
        metricName: "ApproximateAgeOfOldestMessage",
        dimensions: { QueueName: args.deliveriesQueueName },
        statistic: "Maximum",
        ...overFiveMinutes,
        comparisonOperator: "GreaterThanThreshold",
        threshold: thresholds.oldestDeliveryAgeSeconds,
      },
    },
  ];
  const period = args.matcherPeriodSeconds;
  if (period !== undefined) {
    specs.push({
      id: "matcher-not-running",
      description: described(
        `no completed matcher run in two schedule periods of ${duration(period)} (no data counts as not run)`,
        '"Batch runs by Outcome" (skipped: another run held the lock; failed: see its error), the matcher\'s log ' +
          "lines with level error, then its schedule in EventBridge Scheduler (enabled?) and the schedules DLQ",
      ),
      settings: {
        ...alarmMetric("BatchRuns", stage, "completed"),
        statistic: "Sum",
        period,
        evaluationPeriods: 2,
        comparisonOperator: "LessThanThreshold",
        threshold: 1,
        treatMissingData: "breaching",
      },
    });
  }
  return specs;
};
