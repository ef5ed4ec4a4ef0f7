import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import * as Effect from "effect/Effect";
import * as Schema from "effect/Schema";
import { describe, expect, it } from "vitest";
import { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import { engines, freshQueue, testSqs } from "../local-engines/testing.ts";
import { DeliveryMessageJson, sqsDeliveryQueue } from "./deliveries-queue.ts";

const sqs = testSqs();
const enqueue = (queueUrl: string, ids: readonly string[], to: "enqueue" | "deadLetter" = "enqueue", dlq?: string) =>
  Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        return yield* (yield* DeliveryQueue)[to](ids);
      }),
      sqsDeliveryQueue(sqs, queueUrl, dlq),
    ),
  );

const drainIds = async (queueUrl: string): Promise<string[]> => {
  const ids: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return ids;
    for (const message of Messages) ids.push(Schema.decodeUnknownSync(DeliveryMessageJson)(message.Body).delivery_id);
  }
};

describe("the deliveries queue on fauxqs", () => {
  it("enqueues 23 deliveries in batches of 10, each once, as {delivery_id} messages", async () => {
    const queue = await freshQueue();
    const ids = Array.from({ length: 23 }, (_, i) => `0193a8f0-0000-7000-8000-${String(i).padStart(12, "0")}`);
    const result = await enqueue(queue.url, ids);
    expect(result).toEqual({ accepted: ids, failed: [] });
    expect((await drainIds(queue.url)).sort()).toEqual([...ids].sort());
  });

  it("reports nothing accepted when the queue does not exist, so nothing is marked queued", async () => {
    const missing = `${engines().sqsEndpoint}/000000000000/no-such-queue`;
    const result = await enqueue(missing, ["a", "b"]);
    expect(result.accepted).toEqual([]);
    expect(result.failed.map((failure) => failure.id)).toEqual(["a", "b"]);
  });

  it("dead-letters deliveries onto the DLQ with the same message, and refuses when no DLQ is configured", async () => {
    const queue = await freshQueue();
    const ids = ["0193a8f0-0000-7000-8000-00000000d001", "0193a8f0-0000-7000-8000-00000000d002"];
    expect(await enqueue(queue.url, ids, "deadLetter", queue.dlqUrl)).toEqual({ accepted: ids, failed: [] });
    expect((await drainIds(queue.dlqUrl)).sort()).toEqual(ids);
    expect(await drainIds(queue.url)).toEqual([]);
    const unconfigured = Effect.flip(
      Effect.gen(function* () {
        return yield* (yield* DeliveryQueue).deadLetter(ids);
      }),
    );
    const failure = await Effect.runPromise(Effect.provide(unconfigured, sqsDeliveryQueue(sqs, queue.url)));
    expect(failure).toMatchObject({ _tag: "DependencyUnavailable", dependency: "deliveries dead-letter queue" });
  });
});
