import { PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { describe, expect, it } from "vitest";
import { scheduledEvent } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { startPipeline } from "./pipeline-testing.ts";
import { makeSchedulerHandler } from "./scheduler.ts";

/**
 * Messages lost on the way (a purged queue stands for lost, expired and deleted messages), on real parts: the
 * scheduler handler re-queues them once they have been quiet 1,200 s (the manifest's queue: 180 s × 5 receives +
 * 300 s), under their own delivery id, and gives up onto the real dead-letter queue on the 4th loss.
 */
const START = "2026-03-07T09:00:30Z";

describe("the scheduler's recovery of lost messages", () => {
  it("re-queues what a purge lost once it has been quiet 1,200 s; the receiver sees each webhook-id delivered once", async () => {
    const pipeline = await startPipeline({ start: START, backoff: () => 0 });
    const { scheduler, clock, context, sqs, queue, receiver } = pipeline;
    await pipeline.addUsers(25, "1990-03-07");
    expect(await scheduler(scheduledEvent("scheduler"), context("a"))).toMatchObject({ queued: 25 });
    await pipeline.pollOnce(); // some are delivered, then the rest of the queue is lost
    const delivered = receiver.received().length;
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
    clock.advance(1199_000);
    expect(await scheduler(scheduledEvent("scheduler"), context("b"))).toMatchObject({ requeued: 0 });
    clock.advance(2_000);
    expect(await scheduler(scheduledEvent("scheduler"), context("c"))).toMatchObject({
      requeued: 25 - delivered,
      gaveUp: 0,
    });
    await pipeline.drain();
    const ids = receiver.received().map((entry) => entry.webhook_id);
    expect(ids).toHaveLength(25);
    expect(new Set(ids).size).toBe(25);
    expect(receiver.received().every((entry) => entry.verified && entry.status === 200)).toBe(true);
    expect(await pipeline.statuses()).toEqual({ delivered: 25, pending: 25 });
  });

  it("gives up on a delivery whose message is lost a 4th time: failed, and its message on the dead-letter queue", async () => {
    const pipeline = await startPipeline({ start: START });
    const { scheduler, clock, context, sqs, queue, db } = pipeline;
    await pipeline.addUsers(1, "1990-03-07");
    await scheduler(scheduledEvent("scheduler"), context("first"));
    const results = [];
    for (let loss = 1; loss <= 4; loss++) {
      await sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url }));
      clock.advance(1201_000);
      results.push(await scheduler(scheduledEvent("scheduler"), context(`loss-${loss}`)));
    }
    expect(results.map((counts) => [counts.requeued, counts.gaveUp])).toEqual([
      [1, 0],
      [1, 0],
      [1, 0],
      [0, 1],
    ]);
    expect(await pipeline.depth(queue.url)).toBe(0);
    expect(await pipeline.depth(queue.dlqUrl)).toBe(1);
    const [row] = await db.sql`select status, requeues, last_error from deliveries where occurrence = '2026-03-07'`;
    expect(row).toMatchObject({ status: "failed", requeues: 4, last_error: expect.stringMatching(/dead-letter/) });
  });

  it("after a local restart re-queues what the queue lost, and no fresh delivery once the clock is set back", async () => {
    const pipeline = await startPipeline({ start: START });
    const { scheduler, clock, context, sqs, queue, runtime } = pipeline;
    await pipeline.addUsers(2, "1990-03-07");
    expect(await scheduler(scheduledEvent("scheduler"), context("before"))).toMatchObject({ queued: 2 });
    await sqs.send(new PurgeQueueCommand({ QueueUrl: queue.url })); // the restart: the in-memory queue is new
    // The restarted runtime's queue started at 09:01:00 (LOCAL_QUEUE_STARTED_AT).
    const restarted = makeSchedulerHandler(
      runtime,
      makeLogger({}, () => {}),
      {
        staleSeconds: 1200,
        lostBefore: new Date("2026-03-07T09:01:00Z"),
      },
    );
    clock.set("2026-03-07T09:01:30Z");
    expect(await restarted(scheduledEvent("scheduler"), context("first"))).toMatchObject({ requeued: 2 });
    // A developer sets the clock back before the queue's start; a new user is due then.
    await pipeline.addUsers(1, "1990-03-07");
    clock.set("2026-03-07T09:00:40Z");
    expect(await restarted(scheduledEvent("scheduler"), context("set-back"))).toMatchObject({ queued: 1 });
    clock.set("2026-03-07T09:03:00Z"); // past any hold of the tick that queued it, far inside the stale window
    // Queued at 09:00:40, before the queue's start, yet its message is in the queue: not lost, not sent twice.
    expect(await restarted(scheduledEvent("scheduler"), context("next"))).toMatchObject({ requeued: 0 });
    expect(await pipeline.depth(queue.url)).toBe(3);
  });
});
