import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { AlarmSpec } from "./alarm-spec.ts";
import { type AlarmThresholds, businessAlarms } from "./business-alarms.ts";
import { dashboardBody } from "./dashboard-body.ts";
import { type DeadLetterLabel, platformAlarms } from "./platform-alarms.ts";

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
  /** The stack's stage: the business metrics' `Stack` dimension. */
  readonly stage: string;
  readonly thresholds: AlarmThresholds;
  /** The matcher schedule's longest gap between runs; absent when it is paused or not in the stack. */
  readonly matcherPeriodSeconds?: number;
  readonly region: pulumi.Input<string>;
  /** Subscribed to the alarm topic (the address must confirm the subscription). */
  readonly email: string;
  readonly functions: readonly WatchedFunction[];
  readonly deliveriesQueueName: pulumi.Input<string>;
  /** Every dead-letter queue: its first message raises an alarm. */
  readonly deadLetterQueues: ReadonlyArray<{ readonly label: DeadLetterLabel; readonly name: pulumi.Input<string> }>;
  readonly dbInstanceIdentifier: pulumi.Input<string>;
  /** @default 1000 */
  readonly queueDepthThreshold?: number;
  /** @default 2 GiB */
  readonly freeStorageBytesThreshold?: number;
}

/**
 * The stack's alarms (platform-alarms.ts: the functions, queues and database; business-alarms.ts: the product's
 * metrics), all notifying one SNS topic with an e-mail subscription, and one CloudWatch dashboard. Every alarm's
 * description ends with its runbook line ("Check first: ...").
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
    const alarm = (id: string, description: string, settings: AlarmSpec["settings"]) => {
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
    for (const spec of [...platformAlarms(args), ...businessAlarms(args)]) {
      alarm(spec.id, spec.description, spec.settings);
    }

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
