import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  type Message,
  type MessageAttributeValue,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { recordAwsCall } from "../../adapters/aws/calls.ts";
import type { SqsEvent, SqsRecord } from "../http/events.ts";
import type { QueueTrigger } from "../manifest.ts";
import { asFunction } from "./aws-calls.ts";
import type { LocalFunction, Outcome } from "./invoke.ts";

/**
 * An SQS event source mapping, locally: long-polls the queue, invokes the function with up to `batchSize`
 * records, and deletes what succeeded. With a partial batch response only the listed items stay; a throw (or a
 * malformed response) leaves the whole batch, which comes back after the queue's visibility timeout; the queue's
 * redrive policy (fauxqs, as SQS) moves a message to the dead-letter queue after maxReceiveCount receives.
 */
export interface QueuePoller {
  /**
   * Makes every message the function reported failed, and that has not come back yet, visible now: its retry
   * happens at once instead of after the backoff the function set (local only: the console's "retry now", since
   * fauxqs's visibility timeouts run on wall time, not on the runtime clock). Resolves to how many it released.
   */
  retryNow(): Promise<number>;
  stop(): Promise<void>;
}

const lambdaAttribute = (value: MessageAttributeValue) => ({
  ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
  ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString("base64") } : {}),
  stringListValues: value.StringListValues ?? [],
  binaryListValues: (value.BinaryListValues ?? []).map((item) => Buffer.from(item).toString("base64")),
  dataType: value.DataType ?? "String",
});

/** An SQS message as Lambda hands it to the function. */
export const toSqsRecord = (message: Message, queueArn: string, region: string): SqsRecord => ({
  messageId: message.MessageId ?? "",
  receiptHandle: message.ReceiptHandle ?? "",
  body: message.Body ?? "",
  attributes: { ApproximateReceiveCount: "1", ...message.Attributes },
  messageAttributes: Object.fromEntries(
    Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [name, lambdaAttribute(value)]),
  ),
  md5OfBody: message.MD5OfBody ?? "",
  eventSource: "aws:sqs",
  eventSourceARN: queueArn,
  awsRegion: region,
});

/**
 * The message ids to delete after an invocation, by Lambda's rules for ReportBatchItemFailures: everything on
 * success, all but the listed failures on a partial response, nothing on a throw or an invalid response (an
 * empty or unknown itemIdentifier fails the whole batch).
 */
export const idsToDelete = (outcome: Outcome, messageIds: readonly string[]): readonly string[] => {
  if (!outcome.ok) return [];
  const result = outcome.result as { batchItemFailures?: unknown } | null | undefined;
  const failures = result?.batchItemFailures;
  if (failures === undefined || failures === null) return messageIds;
  if (!Array.isArray(failures)) return [];
  const failed = new Set<string>();
  for (const failure of failures) {
    const id = (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier;
    if (typeof id !== "string" || !messageIds.includes(id)) return [];
    failed.add(id);
  }
  return messageIds.filter((id) => !failed.has(id));
};

const WAIT_SECONDS = 2;

export const startQueuePoller = (options: {
  fn: LocalFunction;
  trigger: QueueTrigger;
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  region: string;
}): QueuePoller => {
  const { fn, trigger, sqs, queueUrl } = options;
  const abort = new AbortController();
  let stopped = false;
  /** Messages left in flight by a failed invocation, by message id: their receipt handles, until received again. */
  const waiting = new Map<string, string>();

  // The event source mapping's calls are made with the function's role: recorded as the function's.
  const asConsumer = <T>(task: () => Promise<T>) => asFunction(fn.spec.name, task);
  // Lambda reads the queue's attributes when the mapping is created (it checks the visibility timeout).
  asConsumer(async () => recordAwsCall({ service: "sqs", action: "GetQueueAttributes", resource: queueUrl }));

  const pollOnce = async (): Promise<void> => {
    const received = await asConsumer(() =>
      sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: trigger.batchSize,
          WaitTimeSeconds: WAIT_SECONDS,
          MessageSystemAttributeNames: ["All"],
          MessageAttributeNames: ["All"],
        }),
        { abortSignal: abort.signal },
      ),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0 || stopped) return;
    const event: SqsEvent = { Records: messages.map((m) => toSqsRecord(m, options.queueArn, options.region)) };
    const ids = event.Records.map((record) => record.messageId);
    for (const id of ids) waiting.delete(id); // being handled again: never released while the function runs
    let deletable: readonly string[] = [];
    await fn.invoke("queue", event, (outcome) => {
      deletable = idsToDelete(outcome, ids);
      return deletable.length === ids.length ? "ok" : `${ids.length - deletable.length}/${ids.length} failed`;
    });
    for (const record of event.Records)
      if (!deletable.includes(record.messageId)) waiting.set(record.messageId, record.receiptHandle);
    if (deletable.length === 0) return;
    const entries = event.Records.filter((record) => deletable.includes(record.messageId)).map((record, index) => ({
      Id: String(index),
      ReceiptHandle: record.receiptHandle,
    }));
    await asConsumer(() => sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: entries })));
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      try {
        await pollOnce();
      } catch {
        // The engine is stopping or briefly unavailable: try again shortly, as the event source mapping does.
        if (!stopped) await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  };

  // Lambda scales pollers up to maximumConcurrency; two concurrent batches are plenty on one machine.
  const loops = Array.from({ length: Math.min(trigger.maximumConcurrency, 2) }, loop);
  return {
    retryNow: async () => {
      const handles = [...waiting.values()];
      waiting.clear();
      // Not the consumer's calls (no asConsumer): an operator's. A handle gone stale (the message was received
      // again meanwhile, or moved) changes nothing, as in SQS once a message is received again.
      const released = await Promise.all(
        handles.map((ReceiptHandle) =>
          sqs
            .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle, VisibilityTimeout: 0 }))
            .then(
              () => 1,
              () => 0,
            ),
        ),
      );
      return released.reduce<number>((sum, one) => sum + one, 0);
    },
    stop: async () => {
      stopped = true;
      abort.abort();
      await Promise.all(loops);
    },
  };
};
