import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { afterAll, describe, expect, it } from "vitest";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { openDatabase } from "../../adapters/postgres/client.ts";
import { postgresDeliveryStore } from "../../adapters/postgres/scheduling/deliveries.ts";
import { deleteUser } from "../../core/scheduling/users.ts";
import { WebhookSender } from "../../core/scheduling/WebhookSender.ts";
import type { SqsEvent, SqsRecord } from "../http/events.ts";
import { scheduledEvent, sqsRecord } from "../http/testing.ts";
import { startObserving } from "../local/observed.ts";
import { makeLogger } from "../observe/log.ts";
import { makeDispatcherHandler } from "./dispatcher.ts";
import { startPipeline } from "./pipeline-testing.ts";

/**
 * The dispatcher handler with real-shaped SQS events from a real fauxqs queue, on Postgres, posting to a real
 * verifying receiver: partial batch failures, retry classification and Retry-After, duplicates, the DLQ.
 */
const START = "2026-03-07T09:00:30Z";
const deliveryOf = (record: SqsRecord) => (JSON.parse(record.body) as { delivery_id: string }).delivery_id;

/** A pipeline with `users` due now, ticked once: their messages wait in the queue. */
const queuedPipeline = async (users: number, options: Omit<Parameters<typeof startPipeline>[0], "start"> = {}) => {
  const pipeline = await startPipeline({ start: START, ...options });
  await pipeline.addUsers(users, "1990-03-07");
  await pipeline.scheduler(scheduledEvent("scheduler"), pipeline.context());
  return pipeline;
};

/** Receives until `count` records are in hand (SQS may hand out fewer per call). */
const receiveAll = async (pipeline: Awaited<ReturnType<typeof startPipeline>>, count: number) => {
  const records: SqsRecord[] = [];
  while (records.length < count) records.push(...(await pipeline.receive()).Records);
  return { Records: records } satisfies SqsEvent;
};

const rowOf = async (pipeline: Awaited<ReturnType<typeof startPipeline>>, id: string) =>
  (await pipeline.db.sql`select status, attempts, last_error from deliveries where id = ${id}`)[0];

describe("the dispatcher handler", () => {
  it("reports only the messages that failed: a 503 and a malformed body; the others are delivered", async () => {
    const delays: number[] = [];
    const pipeline = await queuedPipeline(3, { delays });
    const event = await receiveAll(pipeline, 3);
    const malformed = sqsRecord("not json");
    const unknown = sqsRecord(JSON.stringify({ delivery_id: "0193a8f0-0000-7000-8000-000000000000" }));
    pipeline.receiver.respondWith((n) => (n === 1 ? 503 : 200));
    const response = await pipeline.dispatcher({ Records: [...event.Records, malformed, unknown] });
    const refused = pipeline.receiver.received().find((entry) => entry.status === 503)?.webhook_id;
    const retried = event.Records.find((record) => deliveryOf(record) === refused);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
      [retried?.messageId, malformed.messageId].sort(),
    );
    expect(await pipeline.statuses()).toMatchObject({ delivered: 2, queued: 1 });
    expect(await rowOf(pipeline, refused ?? "")).toMatchObject({ status: "queued", attempts: 1 });
    expect(delays).toEqual([30]); // first backoff step, no Retry-After
  });

  it("honours Retry-After by hiding the message that long, and posts nothing else meanwhile", async () => {
    const server = createServer((_request, response) => response.writeHead(429, { "retry-after": "120" }).end());
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    afterAll(() => new Promise((resolve) => server.close(resolve)));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    const delays: number[] = [];
    const pipeline = await queuedPipeline(1, { webhookUrl: url, delays });
    const event = await receiveAll(pipeline, 1);
    const response = await pipeline.dispatcher(event);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: event.Records[0]?.messageId }]);
    expect(delays).toEqual([120]);
    expect((await pipeline.receive()).Records).toEqual([]); // hidden, not merely failed
    expect(await rowOf(pipeline, deliveryOf(event.Records[0] as SqsRecord))).toMatchObject({
      status: "queued",
      attempts: 1,
      last_error: expect.stringMatching(/^HTTP 429/),
    });
  });

  it("posts a delivery once however many messages name it, together, in parallel batches or after", async () => {
    const pipeline = await queuedPipeline(2);
    const [first, second] = (await receiveAll(pipeline, 2)).Records as [SqsRecord, SqsRecord];
    const again = (record: SqsRecord) =>
      pipeline.sqs.send(new SendMessageCommand({ QueueUrl: pipeline.queue.url, MessageBody: record.body }));
    // The same delivery twice in one batch.
    expect(await pipeline.dispatcher({ Records: [first, sqsRecord(first.body)] })).toEqual({ batchItemFailures: [] });
    // The same delivery in two batches at once.
    const parallel = await Promise.all([
      pipeline.dispatcher({ Records: [second] }),
      pipeline.dispatcher({ Records: [sqsRecord(second.body)] }),
    ]);
    expect(parallel).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    // A re-enqueued copy after delivery: acknowledged without posting.
    await Promise.all([again(first), again(second)]);
    expect(await pipeline.dispatcher(await receiveAll(pipeline, 2))).toEqual({ batchItemFailures: [] });
    const ids = pipeline.receiver.received().map((entry) => entry.webhook_id);
    expect(ids.sort()).toEqual([deliveryOf(first), deliveryOf(second)].sort());
    expect(await pipeline.statuses()).toMatchObject({ delivered: 2 });
  });

  it("after five failed receives marks the delivery failed and lets SQS move the message to the DLQ", async () => {
    const pipeline = await queuedPipeline(1, { backoff: () => 0 });
    pipeline.receiver.respondWith(() => 503);
    const observer = startObserving();
    await pipeline.drain(1).finally(() => observer.stop());
    // The metrics an operator's alarms read (EMF lines on stdout): four retries, one failure, one dead letter.
    expect(observer.metrics.list().map((series) => [series.name, series.dimensions.Outcome, series.sum])).toEqual([
      ["DeadLettered", undefined, 1],
      ["Deliveries", "retried", 4],
      ["Deliveries", "failed", 1],
    ]);
    const posts = pipeline.receiver.received();
    expect(posts).toHaveLength(5);
    expect(new Set(posts.map((post) => post.webhook_id)).size).toBe(1);
    expect(posts.every((post) => post.verified)).toBe(true);
    expect(await rowOf(pipeline, posts[0]?.webhook_id ?? "")).toMatchObject({
      status: "failed",
      attempts: 5,
      last_error: expect.stringMatching(/^gave up after 5 attempts: HTTP 503/),
    });
    const dead = await pipeline.sqs.send(new ReceiveMessageCommand({ QueueUrl: pipeline.queue.dlqUrl }));
    expect(dead.Messages?.map((message) => JSON.parse(message.Body ?? "{}").delivery_id)).toEqual([
      posts[0]?.webhook_id,
    ]);
  });

  it("records a 410 as failed without retrying, and never posts for a user deleted after queueing", async () => {
    const pipeline = await queuedPipeline(2);
    const [gone, deleted] = (await receiveAll(pipeline, 2)).Records as [SqsRecord, SqsRecord];
    const [row] = await pipeline.db.sql`select user_id from deliveries where id = ${deliveryOf(deleted)}`;
    await pipeline.runtime.runPromise(deleteUser(String(row?.user_id)));
    pipeline.receiver.respondWith(() => 410);
    expect(await pipeline.dispatcher({ Records: [gone, deleted] })).toEqual({ batchItemFailures: [] });
    expect(pipeline.receiver.received().map((entry) => entry.webhook_id)).toEqual([deliveryOf(gone)]);
    expect(await rowOf(pipeline, deliveryOf(gone))).toMatchObject({ status: "failed", attempts: 1 });
    expect(await rowOf(pipeline, deliveryOf(deleted))).toMatchObject({ status: "cancelled", attempts: 0 });
  });

  it("reports every message back and posts nothing when the database is down", async () => {
    const unreachable = openDatabase({ url: "postgres://nobody@127.0.0.1:1/none", max: 1 });
    const posted: string[] = [];
    const sender = Layer.succeed(WebhookSender, {
      send: (id) =>
        Effect.sync(() => {
          posted.push(id);
          return { kind: "delivered", status: 200 } as const;
        }),
    });
    const runtime = ManagedRuntime.make(
      Layer.mergeAll(postgresDeliveryStore(unreachable.sql), sender, new SettableClock(START).layer),
    );
    const delays: number[] = [];
    const dispatcher = makeDispatcherHandler({
      runtime,
      logger: makeLogger({}, () => {}),
      delayRetry: async (_receipt, seconds) => void delays.push(seconds),
    });
    const ids = ["0193a8f0-0000-7000-8000-000000000001", "0193a8f0-0000-7000-8000-000000000002"];
    const records = ids.map((id) => sqsRecord(JSON.stringify({ delivery_id: id })));
    expect(await dispatcher({ Records: records })).toEqual({
      batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })),
    });
    expect(posted).toEqual([]);
    expect(delays).toEqual([]); // back after the queue's own visibility timeout, not a backoff
    await unreachable.close();
  });
});
