import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dashboardBody } from "./dashboard-body.ts";

export interface WatchedFunction {
  /** The manifest's name, used in alarm names. */
  readonly name: string;
  readonly functionName: pulumi.Input<string>;
  /**
   * How errors are judged: `scheduled` (fires every few minutes: more than 3 errors in 5 minutes), `queue` (an
   * error rate above 10% of invocations) or `request` (any error; also rare schedules like the matcher's).
   */
  readonly errorPolicy: "scheduled" | "queue" | "request";
}

export interface AlarmsArgs {
  /** Alarm and dashboard names start with it, e.g. `rendezvous-staging`. */
  readonly prefix: string;
  readonly region: pulumi.Input<string>;
  /** Subscribed to the alarm topic (the address must confirm the subscription). */
  readonly email: string;
  readonly functions: readonly WatchedFunction[];
  readonly deliveriesQueueName: pulumi.Input<string>;
  /** Every dead-letter queue: its first message raises an alarm. */
  readonly deadLetterQueues: ReadonlyArray<{ readonly label: string; readonly name: pulumi.Input<string> }>;
  readonly dbInstanceIdentifier: pulumi.Input<string>;
  /** @default 1000 */
  readonly queueDepthThreshold?: number;
  /** @default 2 GiB */
  readonly freeStorageBytesThreshold?: number;
}

const FIVE_MINUTES = 300;

/**
 * The stack's alarms, all notifying one SNS topic with an e-mail subscription, and one CloudWatch dashboard.
 */
export class Alarms extends pulumi.ComponentResource {
  readonly topicArn: pulumi.Output<string>;
  readonly alarmNames: pulumi.Output<string>[] = [];
  readonly dashboardUrl: pulumi.Output<string>;

  constructor(name: string, args: AlarmsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:Alarms", name, {}, opts);
    // Not encrypted with the AWS-managed SNS key: its key policy does not let CloudWatch alarms publish.
    const topic = new aws.sns.Topic(name, {}, { parent: this });
    new aws.sns.TopicSubscription(
      `${name}-email`,
      { topic: topic.arn, protocol: "email", endpoint: args.email },
      { parent: this },
    );
    const alarm = (id: string, description: string, settings: Omit<aws.cloudwatch.MetricAlarmArgs, "name">) => {
      const created = new aws.cloudwatch.MetricAlarm(
        `${name}-${id}`,
        {
          name: `${args.prefix}-${id}`,
          alarmDescription: description,
          alarmActions: [topic.arn],
          okActions: [topic.arn],
          treatMissingData: "notBreaching",
          ...settings,
        },
        { parent: this },
      );
      this.alarmNames.push(created.name);
    };
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
        alarm(`${fn.name}-error-rate`, `${fn.name}: more than 10% of invocations failed in 5 minutes`, {
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
        alarm(
          `${fn.name}-errors`,
          `${fn.name}: more than ${threshold} errors in 5 minutes`,
          lambdaMetric(fn, "Errors", threshold),
        );
      }
      alarm(`${fn.name}-throttles`, `${fn.name}: invocations throttled`, lambdaMetric(fn, "Throttles", 0));
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
    alarm(
      "deliveries-depth",
      `more than ${depth} deliveries waiting`,
      queueMetric(args.deliveriesQueueName, depth, FIVE_MINUTES),
    );
    for (const dlq of args.deadLetterQueues) {
      alarm(
        `${dlq.label}-not-empty`,
        `a message reached the ${dlq.label} dead-letter queue`,
        queueMetric(dlq.name, 0, 60),
      );
    }

    const rds = (metricName: string, statistic: string) => ({
      namespace: "AWS/RDS",
      metricName,
      dimensions: { DBInstanceIdentifier: args.dbInstanceIdentifier },
      statistic,
      period: FIVE_MINUTES,
    });
    alarm("database-cpu", "database CPU above 80% for 15 minutes", {
      ...rds("CPUUtilization", "Average"),
      evaluationPeriods: 3,
      comparisonOperator: "GreaterThanThreshold",
      threshold: 80,
    });
    const storage = args.freeStorageBytesThreshold ?? 2 * 1024 ** 3;
    alarm("database-free-storage", "database free storage below 2 GiB", {
      ...rds("FreeStorageSpace", "Minimum"),
      evaluationPeriods: 1,
      comparisonOperator: "LessThanThreshold",
      threshold: storage,
    });

    const dashboard = new aws.cloudwatch.Dashboard(
      name,
      { dashboardName: args.prefix, dashboardBody: dashboardBody(args) },
      { parent: this },
    );
    this.topicArn = topic.arn;
    this.dashboardUrl = pulumi.interpolate`https://${args.region}.console.aws.amazon.com/cloudwatch/home?region=${args.region}#dashboards:name=${dashboard.dashboardName}`;
    this.registerOutputs({ topicArn: this.topicArn, dashboardUrl: this.dashboardUrl });
  }
}
