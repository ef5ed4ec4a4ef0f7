import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface FailureQueueArgs {
  /** What lands here, for the queue's purpose tag. */
  readonly purpose: string;
  /** @default 14 days, SQS's maximum */
  readonly retentionSeconds?: number;
}

/**
 * A dead-letter queue for events nothing else keeps: schedules EventBridge Scheduler could not deliver, and
 * asynchronous invocations a function failed after Lambda's retries. An alarm fires on its first message.
 */
export class FailureQueue extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly url: pulumi.Output<string>;
  readonly name: pulumi.Output<string>;

  constructor(name: string, args: FailureQueueArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:FailureQueue", name, {}, opts);
    const queue = new aws.sqs.Queue(
      name,
      {
        messageRetentionSeconds: args.retentionSeconds ?? 14 * 24 * 3600,
        sqsManagedSseEnabled: true,
        tags: { purpose: args.purpose },
      },
      { parent: this },
    );
    this.arn = queue.arn;
    this.url = queue.url;
    this.name = queue.name;
    this.registerOutputs({ arn: this.arn, url: this.url });
  }
}
