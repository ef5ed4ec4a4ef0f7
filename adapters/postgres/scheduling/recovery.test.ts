import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { describe, expect, it } from "vitest";
import { DeliveryQueue } from "../../../core/scheduling/DeliveryQueue.ts";
import { DeliveryStore } from "../../../core/scheduling/DeliveryStore.ts";
import { DEFAULT_POLICY } from "../../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../../core/scheduling/SchedulingSettings.ts";
import { runSchedulerTick } from "../../../core/scheduling/scheduler.ts";
import { freshDatabase } from "../../local-engines/testing.ts";
import { SettableClock } from "../../memory/clock.ts";
import { openDatabase } from "../client.ts";
import { postgresDeliveryStore } from "./deliveries.ts";

/**
 * The recovery sweep on real PostgreSQL (decision 0003, "Recovery"): a `queued` delivery whose message is gone
 * is re-queued under its own id, concurrent schedulers never re-queue one twice, a live hold and a recent sign of
 * life are left alone, and one that keeps disappearing ends failed on the dead-letter queue.
 */
const recovery = { staleSeconds: 1200, maxRequeues: 3 };

/** A fresh database with `count` deliveries of 2026-03-07 in `status`, last touched at `touched`. */
const seeded = async (count: number, status: string, touched: string) => {
  const db = openDatabase({ url: await freshDatabase({ migrate: true }), max: 10 });
  await db.sql`
    with u as (
      insert into users (id, first_name, last_name, birthday, time_zone, created_at, updated_at)
      select gen_random_uuid(), 'Lost', 'n' || g, '1990-03-07', 'UTC', now(), now() from generate_series(1, ${count}) g
      returning id
    ), e as (
      insert into yearly_events (id, user_id, type, date, created_at)
      select gen_random_uuid(), id, 'birthday', '1990-03-07', now() from u returning id, user_id
    )
    insert into deliveries (event_id, user_id, occurrence, send_at, status, updated_at)
    select id, user_id, '2026-03-07', '2026-03-07T09:00:00Z', ${status}, ${touched} from e`;
  const clock = new SettableClock("2026-03-07T09:00:30Z");
  const queued: string[] = [];
  const deadLettered: string[] = [];
  const acceptInto = (into: string[]) => (ids: readonly string[]) =>
    Effect.sync(() => {
      into.push(...ids);
      return { accepted: [...ids], failed: [] };
    });
  const queue = Layer.succeed(DeliveryQueue, { enqueue: acceptInto(queued), deadLetter: acceptInto(deadLettered) });
  const layer = Layer.mergeAll(
    postgresDeliveryStore(db.sql),
    queue,
    clock.layer,
    Layer.succeed(SchedulingSettings, DEFAULT_POLICY),
  );
  const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof layer>>) =>
    Effect.runPromise(Effect.provide(effect, layer));
  const tick = (owner = "scheduler", options: { batchSize?: number } = {}) =>
    run(runSchedulerTick({ owner, recovery, ...options }));
  const rows = async () =>
    (
      await db.sql<{ id: string; status: string; requeues: number; last_error: string | null; updated_at: string }[]>`
        select id, status, requeues, last_error, updated_at from deliveries order by id`
    ).map((row) => ({ ...row, updated_at: new Date(row.updated_at).toISOString() }));
  return { db, clock, queued, deadLettered, run, tick, rows };
};

describe("postgres recovery of lost deliveries", () => {
  it("re-queues a lost delivery under its own id once per quiet period, and gives up on the 4th loss", async () => {
    const { db, clock, queued, deadLettered, tick, rows } = await seeded(1, "queued", "2026-03-07T09:00:30Z");
    const [{ id } = { id: "" }] = await rows();
    clock.advance(1199_000);
    expect(await tick()).toMatchObject({ requeued: 0, gaveUp: 0 });
    for (const time of [1, 2, 3]) {
      clock.advance(1201_000);
      expect(await tick()).toMatchObject({ requeued: 1, gaveUp: 0 });
      expect(queued).toHaveLength(time);
      expect(await rows()).toMatchObject([
        { id, status: "queued", requeues: time, updated_at: clock.now().toISOString() },
      ]);
      expect((await tick()).requeued).toBe(0); // its quiet time restarted
    }
    clock.advance(1201_000);
    expect(await tick()).toMatchObject({ requeued: 0, gaveUp: 1 });
    expect(new Set(queued)).toEqual(new Set([id]));
    expect(deadLettered).toEqual([id]);
    const [row] = await rows();
    expect(row).toMatchObject({ status: "failed", requeues: 4, last_error: expect.stringMatching(/lost after 3/) });
    await db.close();
  });

  it("six schedulers sweeping 2,000 lost deliveries at once re-queue each exactly once", async () => {
    const { db, queued, tick, rows } = await seeded(2000, "queued", "2026-03-07T08:00:00Z");
    const counts = await Promise.all(Array.from({ length: 6 }, (_, i) => tick(`scheduler-${i}`, { batchSize: 150 })));
    expect(counts.reduce((sum, c) => sum + c.requeued, 0)).toBe(2000);
    expect(queued).toHaveLength(2000);
    expect(new Set(queued).size).toBe(2000);
    expect((await rows()).every((row) => row.status === "queued" && row.requeues === 1)).toBe(true);
    await db.close();
  });

  it("leaves alone a live hold, a recent attempt and final deliveries; a lapsed hold is swept", async () => {
    const { db, clock, queued, tick, run, rows } = await seeded(4, "queued", "2026-03-07T08:00:00Z");
    const [held, attempted, delivered, lapsed] = (await rows()).map((row) => row.id) as [
      string,
      string,
      string,
      string,
    ];
    await db.sql`update deliveries set lease_owner = 'dispatcher', lease_expires_at = '2026-03-07T09:01:00Z'
      where id = ${held}`;
    await db.sql`update deliveries set lease_owner = 'dispatcher', lease_expires_at = '2026-03-07T09:00:00Z'
      where id = ${lapsed}`;
    await run(
      Effect.gen(function* () {
        const store = yield* DeliveryStore;
        yield* store.recordOutcome(attempted, clock.now(), { kind: "attempt-failed", reason: "HTTP 503" });
        yield* store.recordOutcome(delivered, clock.now(), { kind: "delivered", status: 200 });
      }),
    );
    expect(await tick()).toMatchObject({ requeued: 1 });
    expect(queued).toEqual([lapsed]);
    clock.advance(61_000); // the dead dispatcher's hold lapses; the attempt is still recent
    expect(await tick()).toMatchObject({ requeued: 1 });
    expect(queued).toEqual([lapsed, held]);
    await db.close();
  });

  it("sweeps everything quiet since `lostBefore` whatever its age (a local queue that restarted empty)", async () => {
    const { db, clock, queued, run, rows } = await seeded(3, "queued", "2026-03-07T09:00:00Z");
    const restart = { ...recovery, lostBefore: clock.now() };
    expect(await run(runSchedulerTick({ owner: "s", recovery: restart }))).toMatchObject({ requeued: 3 });
    expect(await run(runSchedulerTick({ owner: "s", recovery: restart }))).toMatchObject({ requeued: 0 });
    expect(queued).toHaveLength(3);
    expect((await rows()).map((row) => [row.status, row.requeues])).toEqual([
      ["queued", 0],
      ["queued", 0],
      ["queued", 0],
    ]);
    await db.close();
  });

  it("lets a dispatcher that receives the old message meanwhile win, and settles nothing over it", async () => {
    const { db, clock, queued, run, rows } = await seeded(1, "queued", "2026-03-07T08:00:00Z");
    const [row] = await rows();
    const id = row?.id ?? "";
    const outcome = await run(
      Effect.gen(function* () {
        const store = yield* DeliveryStore;
        const now = clock.now();
        const stale = yield* store.claimStale({ now, staleBefore: now, limit: 10, leaseSeconds: 120, owner: "s" });
        const taken = yield* store.beginDispatch({ ids: [id], now, holdSeconds: 60 });
        yield* store.recordOutcome(id, now, { kind: "delivered", status: 200 });
        yield* store.settle({ owner: "s", now, queued: [id], skipped: [], released: [] });
        yield* store.giveUp({ owner: "s", now, ids: [id], reason: "too late" });
        return { stale: stale.map((d) => d.id), taken: taken.map((d) => d.taken) };
      }),
    );
    expect(outcome).toEqual({ stale: [id], taken: [true] });
    expect(queued).toEqual([]);
    expect(await rows()).toMatchObject([{ status: "delivered", last_error: null }]);
    await db.close();
  });
});
