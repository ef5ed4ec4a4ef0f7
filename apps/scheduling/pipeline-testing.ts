import {
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
} from "@aws-sdk/client-sqs";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { afterAll } from "vitest";
import { freshDatabase, freshQueue, roleUrl, testSqs } from "../../adapters/local-engines/testing.ts";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { cryptoIds } from "../../adapters/node/system.ts";
import { openDatabase } from "../../adapters/postgres/client.ts";
import { postgresDeliveryStore } from "../../adapters/postgres/scheduling/deliveries.ts";
import { postgresUserRepository } from "../../adapters/postgres/scheduling/users.ts";
import { sqsDeliveryQueue } from "../../adapters/sqs/deliveries-queue.ts";
import { delayRetry } from "../../adapters/sqs/visibility.ts";
import { webhookDeliverySender } from "../../adapters/webhook/delivery-sender.ts";
import { startWebhookReceiver } from "../../adapters/webhook/receiver.ts";
import { newWebhookSecret } from "../../adapters/webhook/signature.ts";
import { DEFAULT_POLICY } from "../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { createUser } from "../../core/scheduling/users.ts";
import type { SqsEvent } from "../http/events.ts";
import { sqsRecord } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { type DispatcherOptions, makeDispatcherHandler } from "./dispatcher.ts";
import { makeSchedulerHandler } from "./scheduler.ts";

/**
 * The whole delivery path on real parts for this package's tests: Postgres, a fauxqs queue with its dead-letter
 * queue (redrive after 5 receives), the verifying webhook receiver, and the scheduler and dispatcher handlers
 * built on them with a settable clock. `receive` and `settle` play Lambda's SQS event source mapping.
 */
export const startPipeline = async (options: {
  start: string;
  webhookUrl?: string;
  webhookTimeoutMs?: number;
  backoff?: DispatcherOptions["backoff"];
  delays?: number[];
}) => {
  // As the scheduling role, so every flow here also proves its grants are enough.
  const db = openDatabase({ url: roleUrl(await freshDatabase({ migrate: true }), "scheduling"), max: 12 });
  const queue = await freshQueue({ maxReceiveCount: 5, visibilityTimeoutSeconds: 30 });
  const sqs = testSqs();
  const clock = new SettableClock(options.start);
  const secret = newWebhookSecret();
  const receiver = await startWebhookReceiver({ secret, clock: () => clock.now() });
  afterAll(async () => {
    await receiver.close();
    await db.close();
  });
  const base = Layer.mergeAll(
    postgresUserRepository(db.sql),
    postgresDeliveryStore(db.sql),
    clock.layer,
    cryptoIds,
    Layer.succeed(SchedulingSettings, DEFAULT_POLICY),
  );
  const sender = webhookDeliverySender({
    url: options.webhookUrl ?? receiver.url,
    secret,
    timeoutMs: options.webhookTimeoutMs ?? 1000,
  }).pipe(Layer.provide(clock.layer));
  const quiet = makeLogger({}, () => {});
  const runtime = ManagedRuntime.make(Layer.mergeAll(base, sqsDeliveryQueue(sqs, queue.url, queue.dlqUrl), sender));
  const scheduler = makeSchedulerHandler(runtime, quiet);
  const dispatcher = makeDispatcherHandler({
    runtime,
    logger: quiet,
    delayRetry: (receiptHandle, seconds) => {
      options.delays?.push(seconds);
      return delayRetry(sqs, queue.url, receiptHandle, seconds);
    },
    ...(options.backoff ? { backoff: options.backoff } : {}),
  });

  const toEvent = (messages: readonly Message[]): SqsEvent => ({
    Records: messages.map((message) =>
      sqsRecord(message.Body ?? "", {
        messageId: message.MessageId ?? "",
        receiptHandle: message.ReceiptHandle ?? "",
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? "1"),
      }),
    ),
  });

  /** Up to 10 visible messages, as Lambda's poller hands them to the function. */
  const receive = async (): Promise<SqsEvent> => {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        MessageSystemAttributeNames: ["ApproximateReceiveCount"],
      }),
    );
    return toEvent(Messages);
  };

  /** One poll: invoke the dispatcher and delete every message it did not report as failed. */
  const pollOnce = async (): Promise<number> => {
    const event = await receive();
    if (event.Records.length === 0) return 0;
    const { batchItemFailures } = await dispatcher(event);
    const failed = new Set(batchItemFailures.map((failure) => failure.itemIdentifier));
    const done = event.Records.filter((record) => !failed.has(record.messageId));
    if (done.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: done.map((record, index) => ({ Id: String(index), ReceiptHandle: record.receiptHandle })),
        }),
      );
    }
    return event.Records.length;
  };

  const depth = async (url: string) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  };

  /** Polls with `pollers` concurrent loops until the queue is empty (retries must be visible again at once). */
  const drain = async (pollers = 2) => {
    const loop = async () => {
      for (let idle = 0; idle < 3; ) idle = (await pollOnce()) === 0 ? idle + 1 : 0;
    };
    while ((await depth(queue.url)) > 0) await Promise.all(Array.from({ length: pollers }, loop));
  };

  const addUsers = (count: number, birthday: string, timezone = "UTC") =>
    runtime.runPromise(
      Effect.forEach(
        Array.from({ length: count }, (_, i) => i),
        (i) => createUser({ first_name: `User${i}`, last_name: "Test", birthday, timezone }),
        { concurrency: 8 },
      ),
    );

  const statuses = async () =>
    Object.fromEntries(
      (
        await db.sql<{ status: string; n: number }[]>`
          select status, count(*)::int as n from deliveries group by status`
      ).map((row) => [row.status, row.n]),
    );

  const context = (id = "tick") => ({ awsRequestId: id, getRemainingTimeInMillis: () => 60_000 });
  return {
    ...{ db, queue, sqs, clock, receiver, runtime, scheduler, dispatcher },
    ...{ receive, pollOnce, drain, depth, addUsers, statuses, context },
  };
};
