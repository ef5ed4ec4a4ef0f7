import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { describe, expect, it } from "vitest";
import { engines, testSqs } from "../../adapters/local-engines/testing.ts";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { postgresDeliveryStore } from "../../adapters/postgres/scheduling/deliveries.ts";
import { sqsDeliveryQueue } from "../../adapters/sqs/deliveries-queue.ts";
import { DEFAULT_POLICY } from "../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { scheduledEvent } from "../http/testing.ts";
import { startObserving } from "../local/observed.ts";
import { makeLogger } from "../observe/log.ts";
import { startPipeline } from "./pipeline-testing.ts";
import { makeSchedulerHandler } from "./scheduler.ts";

/** The scheduler handler invoked with EventBridge Scheduler's event, on real Postgres and fauxqs. */
const pipeline = await startPipeline({ start: "2026-03-01T00:00:00Z" });
await pipeline.addUsers(3, "1990-03-07", "Europe/Paris");
await pipeline.addUsers(2, "1990-03-08", "Europe/Paris");

describe("the scheduler handler", () => {
  it("does nothing before the send time, then queues exactly the due deliveries and returns the counts", async () => {
    const { scheduler, clock, context, depth, queue, statuses } = pipeline;
    clock.set("2026-03-07T07:59:00Z"); // 08:59 in Paris
    expect(await scheduler(scheduledEvent("scheduler", clock.now()), context("a"))).toEqual({
      claimed: 0,
      queued: 0,
      skipped: 0,
      released: 0,
      batches: 0,
      requeued: 0,
      gaveUp: 0,
    });
    clock.set("2026-03-07T08:00:20Z");
    expect(await scheduler(scheduledEvent("scheduler", "2026-03-07T08:00:00Z"), context("b"))).toEqual({
      claimed: 3,
      queued: 3,
      skipped: 0,
      released: 0,
      batches: expect.any(Number), // the run's lanes may split the three between them
      requeued: 0,
      gaveUp: 0,
    });
    expect(await depth(queue.url)).toBe(3);
    // Each event's next occurrence is already scheduled; the 8th's birthdays still wait.
    expect(await statuses()).toEqual({ queued: 3, pending: 5 });
    expect((await scheduler(scheduledEvent("scheduler"), context("c"))).claimed).toBe(0);
  });

  it("marks nothing queued when the queue refuses, and the next tick with a working queue sends them", async () => {
    const { db, clock, context, scheduler, depth, queue } = pipeline;
    clock.set("2026-03-08T08:00:20Z");
    const broken = ManagedRuntime.make(
      Layer.mergeAll(
        postgresDeliveryStore(db.sql),
        sqsDeliveryQueue(testSqs(), `${engines().sqsEndpoint}/000000000000/missing-queue`),
        clock.layer,
        Layer.succeed(SchedulingSettings, DEFAULT_POLICY),
      ),
    );
    const refused = await makeSchedulerHandler(
      broken,
      makeLogger({}, () => {}),
    )(scheduledEvent("scheduler"));
    expect(refused).toMatchObject({ claimed: 2, queued: 0, released: 2 });
    const rows = await db.sql`select status from deliveries where occurrence = '2026-03-08'`;
    expect(rows.map((row) => row.status)).toEqual(["pending", "pending"]);
    expect(await scheduler(scheduledEvent("scheduler"), context("d"))).toMatchObject({ claimed: 2, queued: 2 });
    expect(await depth(queue.url)).toBe(5);
  });

  it("throws when the database is unreachable, so the invocation counts as an error", async () => {
    const clock = new SettableClock("2026-03-08T08:00:20Z");
    const { openDatabase } = await import("../../adapters/postgres/client.ts");
    const unreachable = openDatabase({ url: "postgres://nobody@127.0.0.1:1/none", max: 1 });
    const runtime = ManagedRuntime.make(
      Layer.mergeAll(
        postgresDeliveryStore(unreachable.sql),
        sqsDeliveryQueue(testSqs(), pipeline.queue.url),
        clock.layer,
        Layer.succeed(SchedulingSettings, DEFAULT_POLICY),
      ),
    );
    const handler = makeSchedulerHandler(
      runtime,
      makeLogger({}, () => {}),
    );
    await expect(handler(scheduledEvent("scheduler"))).rejects.toThrow(/dependency is unavailable/);
    await unreachable.close();
  });

  it("skips what is past its late deadline and counts it in Deliveries{Outcome=skipped_late}", async () => {
    const { scheduler, clock, context, addUsers } = pipeline;
    await addUsers(2, "1990-03-09", "Europe/Paris");
    const lines: string[] = [];
    const observer = startObserving((line) => lines.push(line));
    try {
      clock.set("2026-03-10T08:00:20Z"); // the 10th in Paris: the 9th's 09:00 is a day gone (same-local-day)
      const counts = await scheduler(scheduledEvent("scheduler"), context("late"));
      expect(counts).toMatchObject({ claimed: 2, queued: 0 });
      const rows = await pipeline.db.sql`select status from deliveries where occurrence = '2026-03-09'`;
      expect(rows.map((row) => row.status)).toEqual(["skipped", "skipped"]);
      // The tick's skipped also counts the earlier tests' queued messages its recovery found past their day.
      expect(counts.skipped).toBeGreaterThanOrEqual(2);
      expect(observer.metrics.list({ namespace: "Rendezvous/Scheduling" })).toMatchObject([
        { name: "Deliveries", dimensions: { Outcome: "skipped_late" }, count: 1, sum: counts.skipped },
      ]);
    } finally {
      observer.stop();
    }
  });
});
