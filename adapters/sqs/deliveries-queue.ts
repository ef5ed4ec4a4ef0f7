import type { SQSClient } from "@aws-sdk/client-sqs";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Schema from "effect/Schema";
import { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import { sendInBatches } from "./batch-send.ts";

/** The deliveries queue's message: it names the delivery; the dispatcher reads the rest from the database. */
export const DeliveryMessage = Schema.Struct({ delivery_id: Schema.String.check(Schema.isMaxLength(64)) });
export const DeliveryMessageJson = Schema.fromJsonString(DeliveryMessage);

/** The DeliveryQueue port on SQS: batches of 10, failed entries retried, and only accepted ids reported back. */
export const sqsDeliveryQueue = (sqs: SQSClient, queueUrl: string): Layer.Layer<DeliveryQueue> =>
  Layer.succeed(DeliveryQueue, {
    enqueue: (ids) =>
      Effect.tryPromise({
        try: () =>
          sendInBatches(
            sqs,
            queueUrl,
            ids.map((id) => ({ id, body: JSON.stringify({ delivery_id: id }) })),
            { maxAttempts: 3, concurrency: 8 },
          ),
        catch: (cause) => new DependencyUnavailable({ dependency: "deliveries queue", cause }),
      }),
  });
