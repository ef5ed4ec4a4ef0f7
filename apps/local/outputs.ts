import { GetQueueAttributesCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { FunctionSpec } from "../manifest.ts";
import { type Engines, RESOURCE_PREFIX } from "./engines.ts";

/**
 * The stack outputs (API.md, "Stack outputs") with the same keys `pulumi stack output --json` gives, plus the
 * control URL. Resources with no local counterpart (alarm topic, dashboard) are null.
 */
export interface LocalOutputs {
  readonly stage: "local";
  readonly region: string;
  readonly urls: Record<string, string>;
  readonly sessionsTableName: string;
  readonly deliveriesQueueUrl: string;
  readonly deliveriesDlqUrl: string;
  readonly functionNames: Record<string, string>;
  readonly databaseEndpoint: string;
  readonly alarmTopicArn: null;
  readonly dashboardUrl: null;
  readonly controlUrl: string;
  readonly webhookUrl: string;
  /** The Lambda Invoke API of every function (`aws --endpoint-url <this> lambda invoke ...`); local only. */
  readonly lambdaEndpoint: string;
}

export const makeOutputs = (input: {
  region: string;
  functions: readonly FunctionSpec[];
  urls: Record<string, string>;
  engines: Engines;
  controlUrl: string;
  webhookUrl: string;
  lambdaEndpoint: string;
}): LocalOutputs => ({
  stage: "local",
  region: input.region,
  urls: input.urls,
  sessionsTableName: input.engines.sessionsTableName,
  deliveriesQueueUrl: input.engines.queue.url,
  deliveriesDlqUrl: input.engines.queue.dlqUrl,
  functionNames: Object.fromEntries(input.functions.map((fn) => [fn.name, `${RESOURCE_PREFIX}-${fn.name}`])),
  databaseEndpoint: new URL(input.engines.databaseUrl).host,
  alarmTopicArn: null,
  dashboardUrl: null,
  controlUrl: input.controlUrl,
  webhookUrl: input.webhookUrl,
  lambdaEndpoint: input.lambdaEndpoint,
});

export interface QueueDepth {
  readonly name: string;
  readonly url: string;
  readonly visible: number;
  readonly in_flight: number;
  readonly delayed: number;
}

/** `GET /_local/queues`: the depth of the deliveries queue and its dead-letter queue. */
export const queueDepths = async (sqs: SQSClient, engines: Engines): Promise<{ queues: QueueDepth[] }> => {
  const depth = async (url: string): Promise<QueueDepth> => {
    const answer = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: [
          "ApproximateNumberOfMessages",
          "ApproximateNumberOfMessagesNotVisible",
          "ApproximateNumberOfMessagesDelayed",
        ],
      }),
    );
    const count = (name: string) => Number(answer.Attributes?.[name as keyof typeof answer.Attributes] ?? 0);
    return {
      name: url.split("/").pop() ?? url,
      url,
      visible: count("ApproximateNumberOfMessages"),
      in_flight: count("ApproximateNumberOfMessagesNotVisible"),
      delayed: count("ApproximateNumberOfMessagesDelayed"),
    };
  };
  return { queues: await Promise.all([depth(engines.queue.url), depth(engines.queue.dlqUrl)]) };
};
