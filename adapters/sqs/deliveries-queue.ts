import type { SQSClient } from "@aws-sdk/client-sqs";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Schema from "effect/Schema";
import { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import { withDependencySpans } from "../dependency-spans.ts";
import { sendInBatches } from "./batch-send.ts";

/** The deliveries queue's message: it names the delivery; the dispatcher reads the rest from the database. */
export const DeliveryMessage = Schema.Struct({ delivery_id: Schema.String.check(Schema.isMaxLength(64)) });
export const DeliveryMessageJson = Schema.fromJsonString(DeliveryMessage);

const sendTo = (sqs: SQSClient, queueUrl: string | undefined, dependency: string) => (ids: readonly string[]) =>
  Effect.tryPromise({
    try: () => {
      if (queueUrl === undefined) return Promise.reject(new Error(`no ${dependency} URL configured`));
      return sendInBatches(
        sqs,
        queueUrl,
        ids.map((id) => ({ id, body: JSON.stringify({ delivery_id: id }) })),
        { maxAttempts: 3, concurrency: 8 },
      );
    },
    catch: (cause) => new DependencyUnavailable({ dependency, cause }),
  });

/**
 * The DeliveryQueue port on SQS: batches of 10, failed entries retried, and only accepted ids reported back. A
 * dead-lettered delivery gets the very message the redrive policy would have moved, so the DLQ's alarm and an
 * operator reading (or redriving) it see one kind of message. Without a dead-letter URL, `deadLetter` fails.
 */
export const sqsDeliveryQueue = (
  sqs: SQSClient,
  queueUrl: string,
  deadLetterUrl?: string,
): Layer.Layer<DeliveryQueue> =>
  Layer.succeed(
    DeliveryQueue,
    withDependencySpans("sqs.deliveries", {
      enqueue: sendTo(sqs, queueUrl, "deliveries queue"),
      deadLetter: sendTo(sqs, deadLetterUrl, "deliveries dead-letter queue"),
    }),
  );
