import { CreateQueueCommand, GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { startSqs } from "../../adapters/local-engines/sqs.ts";
import { makeSqsClient } from "../../adapters/sqs/client.ts";
import { peekMessages, redrive } from "./queue-controls.ts";

/** The console's peek and redrive against a real fauxqs (which has no StartMessageMoveTask). */
const engine = await startSqs();
const sqs = makeSqsClient({ region: "us-east-1", endpoint: engine.endpoint });
afterAll(async () => {
  sqs.destroy();
  await engine.stop();
});

const queue = async (name: string) => (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl ?? "";
const visible = async (url: string) => {
  const answer = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
    }),
  );
  return [
    Number(answer.Attributes?.ApproximateNumberOfMessages),
    Number(answer.Attributes?.ApproximateNumberOfMessagesNotVisible),
  ];
};

describe("the console's queue controls", () => {
  it("peek at messages and leave them visible, parsing JSON bodies", async () => {
    const url = await queue("peek-source");
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"delivery_id":"d-1"}' }));
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "not json" }));
    const peeked = await peekMessages(sqs, url);
    expect(peeked.map((message) => message.body)).toEqual([{ delivery_id: "d-1" }, "not json"]);
    expect(peeked.every((message) => message.receive_count === 1 && message.sent_at !== null)).toBe(true);
    expect(await visible(url)).toEqual([2, 0]);
    expect((await peekMessages(sqs, url)).map((message) => message.receive_count)).toEqual([2, 2]);
  });

  it("redrive every message of a dead-letter queue to its source, bodies and attributes kept, none lost", async () => {
    const source = await queue("redrive-source");
    const dlq = await queue("redrive-dlq");
    const bodies = Array.from({ length: 23 }, (_, i) => JSON.stringify({ delivery_id: `d-${i}` }));
    for (const body of bodies)
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: dlq,
          MessageBody: body,
          MessageAttributes: { origin: { DataType: "String", StringValue: "test" } },
        }),
      );
    expect(await redrive(sqs, dlq, source)).toEqual({ moved: 23, failed: 0 });
    expect(await visible(dlq)).toEqual([0, 0]);
    expect(await visible(source)).toEqual([23, 0]);
    const moved = [];
    for (let round = 0; round < 5; round++) moved.push(...(await peekMessages(sqs, source)));
    expect(new Set(moved.map((message) => JSON.stringify(message.body))).size).toBe(23);
    expect(await redrive(sqs, dlq, source)).toEqual({ moved: 0, failed: 0 });
  });

  it("keeps a message in the dead-letter queue when its send fails", async () => {
    const dlq = await queue("redrive-kept");
    await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: "keep me" }));
    const missing = dlq.replace("redrive-kept", "no-such-queue");
    expect(await redrive(sqs, dlq, missing)).toEqual({ moved: 0, failed: 1 });
    expect(await visible(dlq)).toEqual([1, 0]);
  });
});
