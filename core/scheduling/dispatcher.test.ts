import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { describe, expect, it } from "vitest";
import { schedulingHarness as setup } from "../../adapters/memory/scheduling-harness.ts";
import { DeliveryStore } from "./DeliveryStore.ts";
import { dispatchDeliveries } from "./dispatcher.ts";
import { runSchedulerTick } from "./scheduler.ts";

/** The dispatcher's hold: one post per delivery however many messages name it, and a dead scheduler's claim. */
describe("dispatcher holds", () => {
  it("posts once when two messages for one delivery arrive in different batches at once", async () => {
    const { user, tick, run, memory } = setup("2026-03-07T09:00:30Z");
    await user("1990-03-07", "UTC");
    await tick();
    const id = memory.queued[0] ?? "";
    const batch = () => dispatchDeliveries([{ deliveryId: id, receiveCount: 1 }], { maxReceives: 5 });
    const [first, second] = await Promise.all([run(batch()), run(batch())]);
    expect([first?.[0]?.reason, second?.[0]?.reason].sort()).toEqual(["already delivered", "delivered"]);
    expect(memory.posts).toHaveLength(1);
  });

  it("acknowledges a message whose delivery another dispatcher holds, and lets a retry take it later", async () => {
    const { user, tick, run, memory, clock } = setup("2026-03-07T09:00:30Z");
    await user("1990-03-07", "UTC");
    await tick();
    const id = memory.queued[0] ?? "";
    const hold = Effect.gen(function* () {
      const store = yield* DeliveryStore;
      return yield* store.beginDispatch({ ids: [id], now: clock.now(), holdSeconds: 60 });
    });
    expect((await run(hold))[0]?.taken).toBe(true);
    const message = [{ deliveryId: id, receiveCount: 2 }];
    expect(await run(dispatchDeliveries(message, { maxReceives: 5 }))).toEqual([
      { kind: "acknowledge", reason: "in flight elsewhere" },
    ]);
    clock.advance(61_000); // the holder died: its hold lapses
    // Due at 09:00:00, delivered at 09:01:31 (09:00:30 + the lapsed hold): the lateness the metric reports.
    const [decision] = await run(dispatchDeliveries(message, { maxReceives: 5 }));
    expect(decision).toMatchObject({ kind: "acknowledge", reason: "delivered", outcome: "delivered" });
    expect(decision?.kind === "acknowledge" && decision.latenessMs).toBe(91_000);
    expect(memory.posts).toHaveLength(1);
  });

  it("delivers a message whose scheduler died before marking it queued; next year's stays scheduled", async () => {
    const { user, tick, run, memory, clock } = setup("2026-03-07T09:00:30Z");
    await user("1990-03-07", "UTC");
    // The scheduler claims and enqueues, then dies before it can mark anything.
    const dies = Effect.gen(function* () {
      const store = yield* DeliveryStore;
      const killed = Layer.succeed(DeliveryStore, { ...store, settle: () => Effect.die("killed before marking") });
      return yield* Effect.provide(runSchedulerTick({ owner: "dies-after-enqueue" }), killed);
    });
    expect((await run(Effect.exit(dies)))._tag).toBe("Failure");
    const decisions = await run(
      dispatchDeliveries([{ deliveryId: memory.queued[0] ?? "", receiveCount: 1 }], { maxReceives: 5 }),
    );
    expect(decisions[0]?.reason).toBe("delivered");
    clock.advance(121_000);
    expect((await tick()).claimed).toBe(0);
    expect(memory.posts).toHaveLength(1);
    expect(memory.byStatus("pending").map((d) => d.occurrence)).toEqual(["2027-03-07"]);
  });
});
