import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, describe, expect, it } from "vitest";
import { engines, freshQueue, TEST_REGION, testSqs } from "../local-engines/testing.ts";
import { chunkMessages, MAX_BATCH_BYTES, sendInBatches } from "./batch-send.ts";
import { makeSqsClient } from "./client.ts";

const sqs = testSqs();

/** Every body in the queue, drained. */
const drain = async (queueUrl: string, client: SQSClient = sqs): Promise<string[]> => {
  const bodies: string[] = [];
  for (;;) {
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return bodies;
    bodies.push(...Messages.map((message) => message.Body ?? ""));
  }
};

const messages = (count: number, prefix = "m") =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}-${i}`, body: JSON.stringify({ n: i, prefix }) }));

describe("chunkMessages", () => {
  it("cuts at 10 entries and at 256 KiB of bodies, isolating an oversized body", () => {
    expect(chunkMessages(messages(25)).map((chunk) => chunk.length)).toEqual([10, 10, 5]);
    const big = (id: string, bytes: number) => ({ id, body: "x".repeat(bytes) });
    const sized = [big("a", 100_000), big("b", 100_000), big("c", 100_000), big("d", MAX_BATCH_BYTES + 1), big("e", 1)];
    expect(chunkMessages(sized).map((chunk) => chunk.map((m) => m.id))).toEqual([["a", "b"], ["c"], ["d"], ["e"]]);
    // Multi-byte characters count as bytes, not UTF-16 units.
    expect(chunkMessages([big("a", 1), { id: "é", body: "é".repeat(MAX_BATCH_BYTES / 2) }])).toHaveLength(2);
  });
});

describe("sendInBatches on fauxqs", () => {
  it("sends 25 messages in three batches, each exactly once", async () => {
    const queue = await freshQueue();
    const outgoing = messages(25);
    expect(await sendInBatches(sqs, queue.url, outgoing)).toEqual({ accepted: outgoing.map((m) => m.id), failed: [] });
    expect((await drain(queue.url)).sort()).toEqual(outgoing.map((m) => m.body).sort());
  });

  it("reports exactly the entries SQS rejected, and accepts the rest of their batches", async () => {
    const queue = await freshQueue();
    const outgoing = messages(12);
    outgoing[3] = { id: "bad-nul", body: "contains \u0000 NUL" };
    outgoing[11] = { id: "bad-fffe", body: "contains \uFFFE" };
    const result = await sendInBatches(sqs, queue.url, outgoing);
    expect(result.accepted).toEqual(outgoing.map((m) => m.id).filter((id) => !id.startsWith("bad")));
    expect(result.failed).toEqual([
      { id: "bad-nul", reason: expect.stringMatching(/^InvalidMessageContents: /) },
      { id: "bad-fffe", reason: expect.stringMatching(/^InvalidMessageContents: /) },
    ]);
    expect((await drain(queue.url)).sort()).toEqual(
      outgoing
        .filter((m) => !m.id.startsWith("bad"))
        .map((m) => m.body)
        .sort(),
    );
  });

  it("fails a body SQS refuses as a whole call without touching the other batches", async () => {
    const queue = await freshQueue();
    const outgoing = [...messages(3), { id: "huge", body: "x".repeat(1_100_000) }, ...messages(2, "n")];
    const result = await sendInBatches(sqs, queue.url, outgoing);
    expect(result.failed).toEqual([{ id: "huge", reason: expect.stringMatching(/^BatchRequestTooLong: /) }]);
    expect(result.accepted).toEqual(["m-0", "m-1", "m-2", "n-0", "n-1"]);
    expect(await drain(queue.url)).toHaveLength(5);
  });

  it("delays a message by its delaySeconds (clamped to SQS's 15 min)", async () => {
    const queue = await freshQueue();
    const result = await sendInBatches(sqs, queue.url, [
      { id: "now", body: "now" },
      { id: "later", body: "later", delaySeconds: 5000 },
    ]);
    expect(result.accepted).toEqual(["now", "later"]);
    expect(await drain(queue.url)).toEqual(["now"]);
  });

  it("counts every entry failed when SQS cannot be reached, after its attempts", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = makeSqsClient({ region: TEST_REGION, endpoint: `http://127.0.0.1:${port}` });
    const queue = await freshQueue();
    const result = await sendInBatches(unreachable, queue.url, messages(12), { maxAttempts: 2 });
    expect(result.accepted).toEqual([]);
    expect(result.failed.map((entry) => entry.id)).toEqual(messages(12).map((m) => m.id));
    expect(result.failed[0]?.reason).toMatch(/ECONNREFUSED/);
  });
});

/**
 * SQS's internal, retryable per-entry failures (SenderFault false) do not happen on fauxqs. This proxy in front of
 * it withholds the entries whose body starts with "flaky" (for as many calls as `failures` allows) and answers
 * for them as SQS would: listed under Failed with SenderFault false. Everything else reaches fauxqs unchanged.
 */
const flakyProxy = async (failures: number) => {
  let remaining = failures;
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const isBatch = request.headers["x-amz-target"] === "AmazonSQS.SendMessageBatch";
    const input = isBatch ? JSON.parse(raw) : undefined;
    const withheld =
      isBatch && remaining > 0
        ? input.Entries.filter((e: { MessageBody: string }) => e.MessageBody.startsWith("flaky"))
        : [];
    if (withheld.length > 0) remaining--;
    const passed = isBatch ? input.Entries.filter((e: unknown) => !withheld.includes(e)) : [];
    let answer: { Successful: unknown[]; Failed: unknown[] } = { Successful: [], Failed: [] };
    if (!isBatch || passed.length > 0) {
      const forwarded = await fetch(engines().sqsEndpoint, {
        method: "POST",
        headers: {
          "content-type": String(request.headers["content-type"]),
          "x-amz-target": String(request.headers["x-amz-target"]),
        },
        body: isBatch ? JSON.stringify({ ...input, Entries: passed }) : raw,
      });
      const text = await forwarded.text();
      if (!isBatch) {
        response.writeHead(forwarded.status, { "content-type": "application/x-amz-json-1.0" }).end(text);
        return;
      }
      answer = JSON.parse(text);
    }
    const injected = withheld.map((e: { Id: string }) => ({
      Id: e.Id,
      SenderFault: false,
      Code: "InternalError",
      Message: "injected",
    }));
    response
      .writeHead(200, { "content-type": "application/x-amz-json-1.0" })
      .end(JSON.stringify({ Successful: answer.Successful ?? [], Failed: [...(answer.Failed ?? []), ...injected] }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return makeSqsClient({ region: TEST_REGION, endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
};

describe("sendInBatches retrying SQS-side failures", () => {
  it("retries only the failed entries: every message lands exactly once", async () => {
    const client = await flakyProxy(2);
    const queue = await freshQueue();
    const outgoing = [
      ...messages(5),
      { id: "f1", body: "flaky 1" },
      ...messages(7, "n"),
      { id: "f2", body: "flaky 2" },
    ];
    const result = await sendInBatches(client, queue.url, outgoing, { maxAttempts: 3, concurrency: 1 });
    expect(result.failed).toEqual([]);
    expect([...result.accepted].sort()).toEqual(outgoing.map((m) => m.id).sort());
    expect((await drain(queue.url)).sort()).toEqual(outgoing.map((m) => m.body).sort());
  });

  it("reports an entry that keeps failing as failed, never accepted, and never in the queue", async () => {
    const client = await flakyProxy(Number.POSITIVE_INFINITY);
    const queue = await freshQueue();
    const outgoing = [...messages(3), { id: "f", body: "flaky forever" }];
    const result = await sendInBatches(client, queue.url, outgoing, { maxAttempts: 3 });
    expect(result).toEqual({
      accepted: ["m-0", "m-1", "m-2"],
      failed: [{ id: "f", reason: "InternalError: injected" }],
    });
    expect((await drain(queue.url)).sort()).toEqual(
      messages(3)
        .map((m) => m.body)
        .sort(),
    );
  });
});
