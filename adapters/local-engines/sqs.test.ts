import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { freshQueue, testSqs } from "./testing.ts";

const sqs = testSqs();

describe("fauxqs", () => {
  it("moves a message to the dead-letter queue once its receive count is exhausted", async () => {
    const queue = await freshQueue({ maxReceiveCount: 2, visibilityTimeoutSeconds: 1 });
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: "poison" }));

    const receive = () =>
      sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 2, MaxNumberOfMessages: 1 }));
    // Received twice and never deleted: each time the visibility timeout lapses, it comes back.
    expect((await receive()).Messages?.[0]?.Body).toBe("poison");
    expect((await receive()).Messages?.[0]?.Body).toBe("poison");
    // The third receive finds the receive count exhausted: the message has moved to the DLQ.
    expect((await receive()).Messages ?? []).toHaveLength(0);

    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, WaitTimeSeconds: 1 }));
    expect(dead.Messages?.[0]?.Body).toBe("poison");
  });
});
