import * as Effect from "effect/Effect";
import { describe, expect, it } from "vitest";
import { schedulingHarness as setup } from "../../adapters/memory/scheduling-harness.ts";
import { DeliveryStore } from "./DeliveryStore.ts";
import { dispatchDeliveries } from "./dispatcher.ts";
import { DEFAULT_POLICY, parseLatePolicy } from "./occurrence.ts";
import { runSchedulerTick } from "./scheduler.ts";
import { addEvent, createUser, deleteUser, getUser, removeEvent, updateUser } from "./users.ts";

describe("users and their next messages", () => {
  it("schedules a new user's birthday at 09:00 in their zone", async () => {
    const { user } = setup("2026-01-10T12:00:00Z");
    const created = await user("1990-03-07", "America/New_York");
    expect(created.pending.map((d) => [d.occurrence, d.sendAt.toISOString()])).toEqual([
      ["2026-03-07", "2026-03-07T14:00:00.000Z"],
    ]);
  });

  it("moves a pending message when the time zone changes before it is sent", async () => {
    const { user, run } = setup("2026-03-01T00:00:00Z");
    const created = await user("1990-03-07", "America/New_York");
    const updated = await run(updateUser(created.user.id, { timezone: "Europe/London" }));
    expect(updated.pending.map((d) => d.sendAt.toISOString())).toEqual(["2026-03-07T09:00:00.000Z"]);
  });

  it("sends no second message this year when the birthday changes after today's was sent", async () => {
    const { user, run, clock, tick, dispatchQueued, memory } = setup("2026-03-07T14:00:30Z");
    const created = await user("1990-03-07", "America/New_York");
    expect((await tick()).queued).toBe(1);
    await dispatchQueued();
    const updated = await run(updateUser(created.user.id, { birthday: "1990-03-20" }));
    expect(updated.pending.map((d) => d.occurrence)).toEqual(["2027-03-20"]);
    clock.set("2026-03-20T13:00:30Z");
    expect((await tick()).queued).toBe(0);
    expect(memory.posts).toHaveLength(1);
  });

  it("adds an anniversary with its own template and removes it again", async () => {
    const { user, run, clock, tick, dispatchQueued, memory } = setup("2026-05-01T00:00:00Z");
    const created = await user("1990-03-07", "Europe/London", "Ann");
    const added = await run(
      addEvent(created.user.id, { type: "anniversary", date: "2016-05-02", message: "{first_name}: {years} years!" }),
    );
    expect(added.pending?.sendAt.toISOString()).toBe("2026-05-02T08:00:00.000Z");
    clock.set("2026-05-02T08:00:10Z");
    await tick();
    await dispatchQueued();
    expect(memory.posts[0]?.payload).toMatchObject({
      message: "Ann: 10 years!",
      event_type: "anniversary",
      occurrence: "2026-05-02",
    });
    await run(removeEvent(created.user.id, added.event.id));
    expect((await run(getUser(created.user.id))).events.map((e) => e.type)).toEqual(["birthday"]);
  });

  it("refuses a second birthday event and future dates", async () => {
    const { user, run } = setup("2026-05-01T00:00:00Z");
    const created = await user("1990-03-07", "Europe/London");
    const conflict = await run(Effect.flip(addEvent(created.user.id, { type: "birthday", date: "1990-03-08" })));
    expect(conflict._tag).toBe("Conflict");
    const future = await run(
      Effect.flip(createUser({ first_name: "A", last_name: "B", birthday: "2026-05-03", timezone: "UTC" })),
    );
    expect(future).toMatchObject({ _tag: "ValidationFailed", details: [{ field: "birthday" }] });
  });
});

describe("scheduler", () => {
  it("fires Kiritimati (+14) and Pago Pago (-11) at their own 09:00 on the same UTC day", async () => {
    const { user, clock, tick } = setup("2026-06-01T00:00:00Z");
    await user("1990-06-16", "Pacific/Kiritimati");
    await user("1990-06-15", "Pacific/Pago_Pago");
    clock.set("2026-06-15T19:00:30Z");
    expect((await tick()).queued).toBe(1);
    clock.set("2026-06-15T20:00:30Z");
    expect((await tick()).queued).toBe(1);
  });

  it.each([
    ["same-local-day", { queued: 1, skipped: 2 }],
    ["P3D", { queued: 3, skipped: 0 }],
  ])("after two days down, under %s, sends or records as skipped %o", async (late, expected) => {
    const policy = { ...DEFAULT_POLICY, latePolicy: parseLatePolicy(late) ?? DEFAULT_POLICY.latePolicy };
    const { user, clock, tick, memory } = setup("2026-03-01T00:00:00Z", policy);
    for (const day of ["06", "07", "08"]) await user(`1990-03-${day}`, "America/New_York");
    clock.set("2026-03-08T15:00:00Z"); // back up at 11:00 EDT on the 8th
    expect(await tick()).toMatchObject({ ...expected, claimed: 3 });
    expect(memory.byStatus("skipped")).toHaveLength(expected.skipped);
    expect(
      memory
        .byStatus("pending")
        .map((d) => d.occurrence)
        .sort(),
    ).toEqual(["2027-03-06", "2027-03-07", "2027-03-08"]);
    expect((await tick()).claimed).toBe(0);
  });

  it("marks queued only what the queue accepted; the rest goes back to pending", async () => {
    const { user, clock, tick, memory } = setup("2026-03-01T00:00:00Z");
    await user("1990-03-07", "UTC");
    await user("1991-03-07", "UTC");
    const refused = memory.deliveries[1]?.id ?? "";
    memory.refuse.add(refused);
    clock.set("2026-03-07T09:01:00Z");
    expect(await tick()).toMatchObject({ queued: 1, released: 1 });
    expect(memory.deliveries.find((d) => d.id === refused)?.status).toBe("pending");
    memory.refuse.clear();
    expect(await tick()).toMatchObject({ queued: 1, released: 0 });
  });

  it("stops claiming when the invocation runs out of time, and the next run takes the rest", async () => {
    const { user, clock, run } = setup("2026-03-01T00:00:00Z");
    for (const year of [1990, 1991, 1992]) await user(`${year}-03-07`, "UTC");
    clock.set("2026-03-07T09:00:30Z");
    const tick = (hasTime: () => boolean) => run(runSchedulerTick({ owner: "s", batchSize: 1, hasTime }));
    expect(await tick(() => false)).toMatchObject({ batches: 1, queued: 1 });
    expect(await tick(() => true)).toMatchObject({ batches: 2, queued: 2 });
  });

  it("takes over a dead scheduler's claims once their lease expires", async () => {
    const { user, clock, tick, run, memory } = setup("2026-03-07T09:00:30Z");
    await user("1990-03-07", "UTC");
    const claimAsDeadScheduler = Effect.gen(function* () {
      const store = yield* DeliveryStore;
      return yield* store.claimDue({ now: clock.now(), limit: 10, leaseSeconds: 120, owner: "dead" });
    });
    expect(await run(claimAsDeadScheduler)).toHaveLength(1);
    clock.advance(60_000);
    expect((await tick()).claimed).toBe(0);
    clock.advance(61_000);
    expect(await tick()).toMatchObject({ claimed: 1, queued: 1 });
    expect(memory.queued).toHaveLength(1);
  });
});

describe("dispatcher", () => {
  it("retries, gives up on the fifth receive, and never posts a delivered message again", async () => {
    const { user, tick, run, memory } = setup("2026-03-07T09:00:30Z");
    await user("1990-03-07", "UTC");
    await user("1991-03-07", "UTC", "Jane");
    await tick();
    const [first = "", second = ""] = memory.queued;
    memory.answers.push({ kind: "retry", status: 503, reason: "503" }, { kind: "delivered", status: 200 });
    const decisions = await run(
      dispatchDeliveries(
        [
          { deliveryId: first, receiveCount: 1 },
          { deliveryId: second, receiveCount: 1 },
        ],
        { maxReceives: 5 },
      ),
    );
    expect(decisions.map((d) => d.kind)).toEqual(["retry", "acknowledge"]);
    memory.answers.push({ kind: "retry", reason: "timeout" });
    const last = await run(
      dispatchDeliveries(
        [
          { deliveryId: first, receiveCount: 5 },
          { deliveryId: second, receiveCount: 2 },
        ],
        { maxReceives: 5 },
      ),
    );
    expect(last.map((d) => d.kind)).toEqual(["give-up", "acknowledge"]);
    expect(memory.deliveries.find((d) => d.id === first)).toMatchObject({ status: "failed", attempts: 2 });
    expect(memory.posts.map((p) => p.id)).toEqual([first, second, first]);
  });

  it("records a permanent refusal as failed and acknowledges it", async () => {
    const { user, tick, run, memory } = setup("2026-03-07T09:00:30Z");
    await user("1990-03-07", "UTC");
    await tick();
    memory.answers.push({ kind: "permanent", status: 410, reason: "410 Gone" });
    const [decision] = await run(
      dispatchDeliveries([{ deliveryId: memory.queued[0] ?? "", receiveCount: 1 }], { maxReceives: 5 }),
    );
    expect(decision?.kind).toBe("acknowledge");
    expect(memory.byStatus("failed")).toHaveLength(1);
  });

  it("does not deliver a message already queued for a user deleted since", async () => {
    const { user, tick, run, memory, dispatchQueued } = setup("2026-03-07T09:00:30Z");
    const created = await user("1990-03-07", "UTC");
    await tick();
    await run(deleteUser(created.user.id));
    const [decision] = await dispatchQueued();
    expect(decision).toEqual({ kind: "acknowledge", reason: "already cancelled" });
    expect(memory.posts).toHaveLength(0);
  });
});
