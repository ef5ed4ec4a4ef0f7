import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { describe, expect, it } from "vitest";
import { DROP, HANG, type ReceivedWebhook } from "../../adapters/webhook/receiver.ts";
import { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import { runSchedulerTick } from "../../core/scheduling/scheduler.ts";
import { createUser } from "../../core/scheduling/users.ts";
import { scheduledEvent } from "../http/testing.ts";
import { startPipeline } from "./pipeline-testing.ts";

/**
 * The whole path on real parts (Postgres, fauxqs with its DLQ, the verifying receiver): schedulers killed at the
 * worst moments, and a receiver that fails and hangs at random. What counts is what the receiver saw.
 */
const START = "2026-03-07T09:00:30Z";

/** Each webhook id's successful (2xx) posts. */
const successesById = (received: readonly ReceivedWebhook[]) => {
  const counts = new Map<string, number>();
  for (const entry of received) {
    if (entry.status >= 200 && entry.status < 300)
      counts.set(entry.webhook_id, (counts.get(entry.webhook_id) ?? 0) + 1);
  }
  return counts;
};

describe("the delivery pipeline", () => {
  it("loses and duplicates nothing when schedulers die between claim and enqueue, or between enqueue and mark", async () => {
    const pipeline = await startPipeline({ start: START, backoff: () => 0 });
    await pipeline.addUsers(40, "1990-03-07");
    const oneBatch = { batchSize: 10, maxBatches: 1 };
    // Dies after claiming 10 (their next occurrences already scheduled), before enqueueing anything.
    const diesBeforeEnqueue = Effect.provide(
      runSchedulerTick({ owner: "dies-before-enqueue", ...oneBatch }),
      Layer.succeed(DeliveryQueue, { enqueue: () => Effect.die("killed"), deadLetter: () => Effect.die("killed") }),
    );
    // Claims 10 and enqueues them, then dies before marking them queued.
    const diesBeforeMark = (owner: string) =>
      Effect.gen(function* () {
        const store = yield* DeliveryStore;
        const killed = Layer.succeed(DeliveryStore, { ...store, settle: () => Effect.die("killed") });
        return yield* Effect.provide(runSchedulerTick({ owner, ...oneBatch }), killed);
      });
    const { runtime, clock, scheduler, context, drain, receiver } = pipeline;
    await runtime.runPromiseExit(diesBeforeEnqueue);
    await runtime.runPromiseExit(diesBeforeMark("dies-before-mark-1"));
    await drain(); // these 10 are delivered while their claims are still leased
    await runtime.runPromiseExit(diesBeforeMark("dies-before-mark-2"));
    clock.advance(121_000); // every lease has expired
    // The survivor re-enqueues the 20 expired claims still claimed (10 of them a second time) and the last 10.
    expect(await scheduler(scheduledEvent("scheduler"), context("survivor"))).toMatchObject({
      claimed: 30,
      queued: 30,
    });
    await drain(2);

    const successes = successesById(receiver.received());
    expect(successes.size).toBe(40);
    expect([...successes.values()].every((count) => count === 1)).toBe(true);
    expect(receiver.received().every((entry) => entry.verified)).toBe(true);
    expect(await pipeline.statuses()).toEqual({ delivered: 40, pending: 40 });
    const [next] = await pipeline.db.sql`select count(distinct event_id)::int as n from deliveries
      where status = 'pending' and occurrence = '2027-03-07'`;
    expect(next?.n).toBe(40);
  });

  it("with a receiver failing 30% of calls and sometimes hanging, delivers each exactly once; the doomed end in the DLQ", async () => {
    // A 2xx that reaches the dispatcher after its timeout counts as a failure and is posted again (same
    // webhook-id, for the receiver to deduplicate); the production timeout (5 s) leaves room so that this test sees none.
    const pipeline = await startPipeline({ start: START, backoff: () => 0, webhookTimeoutMs: 5000 });
    const { runtime, receiver } = pipeline;
    await pipeline.addUsers(150, "1990-03-07");
    const add = (last_name: string, count: number) =>
      runtime.runPromise(
        Effect.forEach(Array.from({ length: count }), () =>
          createUser({ first_name: "Chaos", last_name, birthday: "1990-03-07", timezone: "UTC" }),
        ),
      );
    const doomed = new Set((await add("Doomed", 4)).map((created) => created.user.id));
    const refused = new Set((await add("Refused", 3)).map((created) => created.user.id));

    // A seeded generator; each id fails at most 3 times at random, so within 5 receives every healthy one lands.
    let seed = 20261123;
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const failures = new Map<string, number>();
    receiver.respondWith((_count, { webhookId, body }) => {
      const userId = (body as { user_id?: string }).user_id ?? "";
      if (doomed.has(userId)) return 503;
      if (refused.has(userId)) return 410;
      const roll = random();
      if (roll >= 0.3 || (failures.get(webhookId) ?? 0) >= 3) return 200;
      failures.set(webhookId, (failures.get(webhookId) ?? 0) + 1);
      return roll < 0.05 ? HANG : roll < 0.08 ? DROP : ([500, 503, 429, 408][Math.floor(roll * 100) % 4] ?? 503);
    });

    await pipeline.scheduler(scheduledEvent("scheduler"), pipeline.context());
    await pipeline.drain(3);

    const received = receiver.received();
    const userOf = new Map(received.map((entry) => [entry.webhook_id, (entry.body as { user_id: string }).user_id]));
    const successes = successesById(received);
    expect(successes.size).toBe(150);
    expect([...successes.values()].every((count) => count === 1)).toBe(true);
    expect(received.some((entry) => entry.status === HANG)).toBe(true);
    expect(await pipeline.statuses()).toEqual({ delivered: 150, failed: 7, pending: 157 });

    const dead = new Set<string>();
    for (let round = 0; round < 5; round++) {
      const { Messages = [] } = await pipeline.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: pipeline.queue.dlqUrl, MaxNumberOfMessages: 10 }),
      );
      for (const message of Messages) dead.add(userOf.get(JSON.parse(message.Body ?? "{}").delivery_id) ?? "");
    }
    expect(dead).toEqual(doomed);
    const failed = await pipeline.db.sql<{ user_id: string; attempts: number; last_error: string }[]>`
      select user_id, attempts, last_error from deliveries where status = 'failed'`;
    for (const row of failed) {
      if (doomed.has(row.user_id))
        expect(row).toMatchObject({ attempts: 5, last_error: expect.stringMatching(/^gave up/) });
      else expect(refused.has(row.user_id) && row.attempts === 1 && row.last_error.startsWith("HTTP 410")).toBe(true);
    }
  }, 120_000); // hung posts wait out the 5 s timeout; the full suite runs beside other work
});
