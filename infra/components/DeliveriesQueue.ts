import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DELIVERIES_QUEUE } from "../../apps/manifest.ts";

export interface DeliveriesQueueArgs {
  /** The consumer's timeout: visibility is `DELIVERIES_QUEUE.visibilityTimeoutFactor` times it. @default 10 */
  readonly consumerTimeoutSeconds?: number;
  /** @default DELIVERIES_QUEUE.maxReceiveCount (5) */
  readonly maxReceiveCount?: number;
  /** @default DELIVERIES_QUEUE.retentionSeconds (14 days) */
  readonly retentionSeconds?: number;
}

/**
 * The queue of webhook deliveries and its dead-letter queue: 14 days of retention on both, redrive after 5
 * receives, visibility at least six times the dispatcher's timeout (AWS's advice for a Lambda event source).
 */
export class DeliveriesQueue extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;
  readonly dlqUrl: pulumi.Output<string>;
  readonly dlqArn: pulumi.Output<string>;
  readonly dlqName: pulumi.Output<string>;

  constructor(name: string, args: DeliveriesQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:DeliveriesQueue", name, {}, opts);
    const retention = args.retentionSeconds ?? DELIVERIES_QUEUE.retentionSeconds;
    const dlq = new aws.sqs.Queue(
      `${name}-dlq`,
      { messageRetentionSeconds: retention, sqsManagedSseEnabled: true },
      { parent: this },
    );
    const queue = new aws.sqs.Queue(
      name,
      {
        messageRetentionSeconds: retention,
        visibilityTimeoutSeconds: (args.consumerTimeoutSeconds ?? 10) * DELIVERIES_QUEUE.visibilityTimeoutFactor,
        receiveWaitTimeSeconds: 20,
        sqsManagedSseEnabled: true,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: dlq.arn,
          maxReceiveCount: args.maxReceiveCount ?? DELIVERIES_QUEUE.maxReceiveCount,
        }),
      },
      { parent: this },
    );
    // Only this queue may redrive into the DLQ.
    new aws.sqs.RedriveAllowPolicy(
      `${name}-dlq`,
      {
        queueUrl: dlq.url,
        redriveAllowPolicy: pulumi.jsonStringify({ redrivePermission: "byQueue", sourceQueueArns: [queue.arn] }),
      },
      { parent: this },
    );
    this.url = queue.url;
    this.arn = queue.arn;
    this.name = queue.name;
    this.dlqUrl = dlq.url;
    this.dlqArn = dlq.arn;
    this.dlqName = dlq.name;
    this.registerOutputs({ url: this.url, dlqUrl: this.dlqUrl });
  }
}
