import { describe, expect, it } from "vitest";
import { schedulingHarness as setup } from "../../adapters/memory/scheduling-harness.ts";
import { dispatchDeliveries } from "./dispatcher.ts";
import { runSchedulerTick } from "./scheduler.ts";

/** The scheduler's recovery sweep on the memory adapters: what lost its message comes back, or ends for good. */
const recovery = { staleSeconds: 1200, maxRequeues: 3 };
const START = "2026-03-07T09:00:30Z";

describe("recovery of deliveries whose message is gone", () => {
  it("re-queues a lost message with the same id, and the dispatcher delivers it once", async () => {
    const { user, clock, run, memory } = setup(START);
    await user("1990-03-07", "UTC");
    const tick = () => run(runSchedulerTick({ owner: "s", recovery }));
    expect(await tick()).toMatchObject({ queued: 1, requeued: 0 });
    const [id = ""] = memory.queued.splice(0); // the message is lost
    clock.advance(1200_000);
    expect(await tick()).toMatchObject({ queued: 0, requeued: 0 }); // not longer than it could take yet
    clock.advance(1_000);
    expect(await tick()).toMatchObject({ queued: 0, requeued: 1, gaveUp: 0 });
    expect(memory.queued).toEqual([id]);
    await run(dispatchDeliveries([{ deliveryId: id, receiveCount: 1 }], { maxReceives: 5 }));
    expect(memory.posts.map((post) => post.id)).toEqual([id]);
    clock.advance(3600_000);
    expect((await tick()).requeued).toBe(0); // delivered is final
    expect(memory.deliveries.find((d) => d.id === id)).toMatchObject({ status: "delivered", requeues: 1 });
  });

  it("gives up on one that keeps disappearing: failed with a reason, and on the dead-letter queue", async () => {
    const { user, clock, run, memory } = setup(START);
    await user("1990-03-07", "UTC");
    const tick = () => run(runSchedulerTick({ owner: "s", recovery }));
    await tick();
    const requeued: number[] = [];
    for (let loss = 0; loss < 4; loss++) {
      memory.queued.splice(0);
      clock.advance(1201_000);
      const counts = await tick();
      requeued.push(counts.requeued);
      if (counts.gaveUp) expect(loss).toBe(3);
    }
    expect(requeued).toEqual([1, 1, 1, 0]);
    const [delivery] = memory.byStatus("failed");
    expect(delivery?.lastError).toMatch(/lost after 3 re-queues/);
    expect(memory.deadLettered).toEqual([delivery?.id]);
    expect(memory.posts).toHaveLength(0);
  });

  it("keeps one the dead-letter queue refused out of `failed`, and sends it once more", async () => {
    const { user, clock, run, memory } = setup(START);
    await user("1990-03-07", "UTC");
    const tick = () => run(runSchedulerTick({ owner: "s", recovery: { ...recovery, maxRequeues: 0 } }));
    await tick();
    const [id = ""] = memory.queued.splice(0);
    memory.refuse.add(id);
    clock.advance(1201_000);
    expect(await tick()).toMatchObject({ gaveUp: 0, requeued: 0 });
    expect(memory.deliveries.find((d) => d.id === id)?.status).toBe("pending");
    memory.refuse.clear();
    expect(await tick()).toMatchObject({ claimed: 1, queued: 1 }); // back through the regular path
    expect(memory.queued).toEqual([id]);
  });

  it("applies the late policy to what it finds: past the late window it is skipped, never sent", async () => {
    const { user, clock, run, memory } = setup(START);
    await user("1990-03-07", "UTC");
    const tick = () => run(runSchedulerTick({ owner: "s", recovery }));
    await tick();
    memory.queued.splice(0);
    clock.set("2026-03-08T00:00:01Z"); // the local day is over
    expect(await tick()).toMatchObject({ requeued: 0, skipped: 1 });
    expect(memory.queued).toEqual([]);
    expect(memory.deliveries.find((d) => d.occurrence === "2026-03-07")?.status).toBe("skipped");
  });

  it("leaves a delivery a dispatcher holds, and one whose attempts keep it alive", async () => {
    const { user, clock, run, memory } = setup(START);
    await user("1990-03-07", "UTC");
    await user("1991-03-07", "UTC");
    const tick = () => run(runSchedulerTick({ owner: "s", recovery }));
    await tick();
    const [first = "", second = ""] = memory.queued.splice(0);
    for (let attempt = 1; attempt <= 4; attempt++) {
      clock.advance(900_000); // the longest backoff: 15 min between attempts
      memory.answers.push({ kind: "retry", reason: "HTTP 503" });
      await run(dispatchDeliveries([{ deliveryId: first, receiveCount: attempt }], { maxReceives: 5 }));
      // `second` is found lost once it has been quiet 20 min: at 30 min, then 20 min after its re-queue.
      expect(await tick()).toMatchObject({ requeued: attempt % 2 === 0 ? 1 : 0 });
    }
    expect(memory.queued).toEqual([second, second]);
    expect(memory.deliveries.find((d) => d.id === first)).toMatchObject({ status: "queued", requeues: 0 });
  });

  it("brings back everything quiet since `lostBefore`, however recent, without counting a re-queue", async () => {
    const { user, clock, run, memory } = setup(START);
    for (const year of [1990, 1991, 1992]) await user(`${year}-03-07`, "UTC");
    await run(runSchedulerTick({ owner: "s" }));
    memory.queued.splice(0); // the local runtime restarted: its queue is empty
    clock.advance(5_000);
    const restart = { ...recovery, lostBefore: clock.now() };
    expect(await run(runSchedulerTick({ owner: "s", recovery: restart }))).toMatchObject({ requeued: 3 });
    expect(await run(runSchedulerTick({ owner: "s", recovery: restart }))).toMatchObject({ requeued: 0 });
    expect(memory.queued).toHaveLength(3);
    // A known loss: it does not bring the delivery closer to being given up.
    expect(memory.deliveries.filter((d) => d.occurrence === "2026-03-07").map((d) => d.requeues)).toEqual([0, 0, 0]);
  });
});
