import { ChangeMessageVisibilityCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { freshQueue, testSqs } from "../local-engines/testing.ts";
import { delayRetry } from "./visibility.ts";

const sqs = testSqs();

const receiveOne = async (queueUrl: string, waitSeconds = 0) => {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      WaitTimeSeconds: waitSeconds,
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    }),
  );
  return Messages[0];
};

const queued = async (body: string) => {
  const queue = await freshQueue({ visibilityTimeoutSeconds: 30 });
  await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
  const message = await receiveOne(queue.url);
  return { queue, handle: message?.ReceiptHandle ?? "" };
};

describe("delayRetry", () => {
  it("with 0 makes the message receivable again at once, one receive later", async () => {
    const { queue, handle } = await queued("again");
    expect(await receiveOne(queue.url)).toBeUndefined();
    await delayRetry(sqs, queue.url, handle, 0);
    const again = await receiveOne(queue.url);
    expect(again?.Body).toBe("again");
    expect(again?.Attributes?.ApproximateReceiveCount).toBe("2");
  });

  it("hides the message for the backoff, then it comes back", async () => {
    const { queue, handle } = await queued("later");
    await delayRetry(sqs, queue.url, handle, 1);
    expect(await receiveOne(queue.url)).toBeUndefined();
    expect((await receiveOne(queue.url, 3))?.Body).toBe("later");
  });

  it("clamps to SQS's 12 h limit, which SQS itself would refuse to exceed", async () => {
    const { queue, handle } = await queued("clamped");
    await expect(
      sqs.send(
        new ChangeMessageVisibilityCommand({ QueueUrl: queue.url, ReceiptHandle: handle, VisibilityTimeout: 50_000 }),
      ),
    ).rejects.toThrow();
    await delayRetry(sqs, queue.url, handle, 1_000_000);
    await delayRetry(sqs, queue.url, handle, -5);
    expect((await receiveOne(queue.url))?.Body).toBe("clamped");
  });
});
