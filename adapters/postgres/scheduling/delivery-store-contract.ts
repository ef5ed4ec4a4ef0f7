import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryQueue } from "../../../core/scheduling/DeliveryQueue.ts";
import { DeliveryStore } from "../../../core/scheduling/DeliveryStore.ts";
import { DEFAULT_POLICY } from "../../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../../core/scheduling/SchedulingSettings.ts";
import { runSchedulerTick } from "../../../core/scheduling/scheduler.ts";
import { freshDatabase } from "../../local-engines/testing.ts";
import { SettableClock } from "../../memory/clock.ts";
import { type DatabaseHandle, openDatabase } from "../client.ts";

/**
 * The DeliveryStore contract on Postgres (docs/decisions/0003), run against the Postgres adapter itself and
 * against the remote adapter that reaches it through the delivery-store function (apps/scheduling): concurrent
 * schedulers, a dead scheduler's lease, one dispatcher per delivery, final outcomes. `storeOn` gives the store
 * over a pool; each call is a separate store (for the remote adapter, a separate delivery-store instance).
 */
export type StoreOn = (sql: postgres.Sql) => Promise<Layer.Layer<DeliveryStore>>;

const USER = "0193a8f0-0000-7000-8000-00000000000a";
const EVENT = "0193a8f0-0000-7000-8000-00000000000b";

/** A queue that accepts everything and keeps the ids it was handed, in order, for the tests to count. */
export const recordingQueue = () => {
  const queued: string[] = [];
  const queue = Layer.succeed(DeliveryQueue, {
    enqueue: (ids) =>
      Effect.sync(() => {
        queued.push(...ids);
        return { accepted: [...ids], failed: [] };
      }),
    deadLetter: (ids) => Effect.succeed({ accepted: [...ids], failed: [] }),
  });
  return { queued, queue };
};

/** `count` users born on 1990-03-07 in UTC, each with a delivery due at 2026-03-07T09:00Z, in one statement. */
export const seedDueDeliveries = (sql: postgres.Sql, count: number, tag: string) => sql`
  with u as (
    insert into users (id, first_name, last_name, birthday, time_zone, created_at, updated_at)
    select gen_random_uuid(), ${tag}, 'n' || g, '1990-03-07', 'UTC', now(), now() from generate_series(1, ${count}) g
    returning id
  ), e as (
    insert into yearly_events (id, user_id, type, date, created_at)
    select gen_random_uuid(), id, 'birthday', '1990-03-07', now() from u returning id, user_id
  )
  insert into deliveries (event_id, user_id, occurrence, send_at)
  select id, user_id, '2026-03-07', '2026-03-07T09:00:00Z' from e`;

export const deliveryStoreContract = (adapter: string, storeOn: StoreOn): void => {
  describe(`DeliveryStore contract: ${adapter}`, () => {
    let db: DatabaseHandle;
    let url: string;
    beforeAll(async () => {
      url = await freshDatabase({ migrate: true });
      db = openDatabase({ url, max: 10 });
    });
    afterAll(() => db?.close());

    const seedDue = (count: number, tag: string) => seedDueDeliveries(db.sql, count, tag);

    const statusCounts = async (tag: string) =>
      Object.fromEntries(
        (
          await db.sql<{ status: string; n: number }[]>`
            select d.status, count(*)::int as n from deliveries d join users u on u.id = d.user_id
            where u.first_name = ${tag} group by d.status`
        ).map((row) => [row.status, row.n]),
      );

    const setup = async (start: string) => {
      const clock = new SettableClock(start);
      const { queued, queue } = recordingQueue();
      const layer = Layer.mergeAll(
        await storeOn(db.sql),
        queue,
        clock.layer,
        Layer.succeed(SchedulingSettings, DEFAULT_POLICY),
      );
      const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof layer>>) =>
        Effect.runPromise(Effect.provide(effect, layer));
      const store = <A, E>(use: (store: DeliveryStore["Service"]) => Effect.Effect<A, E>) =>
        run(Effect.flatMap(DeliveryStore, use));
      return { clock, queued, run, store };
    };

    it("eight schedulers ticking at once over 5,000 due deliveries enqueue each exactly once", async () => {
      await seedDue(5000, "eight");
      const { run, queued } = await setup("2026-03-07T09:00:30Z");
      const counts = await Promise.all(
        Array.from({ length: 8 }, (_, i) => run(runSchedulerTick({ owner: `scheduler-${i}`, batchSize: 250 }))),
      );
      expect(counts.reduce((sum, c) => sum + c.queued, 0)).toBe(5000);
      expect(queued).toHaveLength(5000);
      expect(new Set(queued).size).toBe(5000);
      expect(await statusCounts("eight")).toEqual({ queued: 5000, pending: 5000 });
      const [next] = await db.sql`select count(*)::int as n from deliveries d join users u on u.id = d.user_id
        where u.first_name = 'eight' and d.status = 'pending' and d.occurrence = '2027-03-07'`;
      expect(next?.n).toBe(5000);
    });

    it("hands a dead scheduler's claims to another once the lease expires, and loses none", async () => {
      await seedDue(30, "crash");
      const { run, store, clock, queued } = await setup("2026-03-07T09:00:30Z");
      const claimed = await store((deliveries) =>
        deliveries.claimDue({ now: clock.now(), limit: 1000, leaseSeconds: 120, owner: "dies-after-claim" }),
      );
      expect(claimed.length).toBeGreaterThanOrEqual(30);
      expect(claimed[0]?.sendAt).toBeInstanceOf(Date);
      clock.advance(60_000);
      expect((await run(runSchedulerTick({ owner: "survivor" }))).claimed).toBe(0);
      clock.advance(61_000);
      const tick = await run(runSchedulerTick({ owner: "survivor" }));
      expect(tick.queued).toBe(claimed.length);
      expect(new Set(queued).size).toBe(queued.length);
      expect(await statusCounts("crash")).toEqual({ queued: 30, pending: 30 });
    });

    it("settles only what its owner holds: skipped recorded, released claimable again", async () => {
      await seedDue(3, "settle");
      const { store, clock } = await setup("2026-03-07T09:00:30Z");
      const now = clock.now();
      const claimed = await store((deliveries) =>
        deliveries.claimDue({ now, limit: 3, leaseSeconds: 120, owner: "owner" }),
      );
      const [queued, skipped, released] = claimed.map((delivery) => delivery.id);
      const settle = (owner: string) =>
        store((deliveries) =>
          deliveries.settle({
            owner,
            now,
            queued: [queued ?? ""],
            skipped: [skipped ?? ""],
            released: [released ?? ""],
          }),
        );
      await settle("someone-else");
      expect(await statusCounts("settle")).toEqual({ claimed: 3 });
      await settle("owner");
      expect(await statusCounts("settle")).toEqual({ queued: 1, skipped: 1, pending: 1 });
      const again = await store((deliveries) => deliveries.claimDue({ now, limit: 3, leaseSeconds: 120, owner: "b" }));
      expect(again.map((delivery) => delivery.id)).toEqual([released]);
    });

    it("holds a delivery for one dispatcher at a time, even as a fresh pool's first query", async () => {
      await db.sql`insert into users (id, first_name, last_name, birthday, time_zone, created_at, updated_at)
        values (${USER}, 'Hold', 'Me', '1990-03-07', 'UTC', now(), now())`;
      await db.sql`insert into yearly_events (id, user_id, type, date, created_at)
        values (${EVENT}, ${USER}, 'birthday', '1990-03-07', now())`;
      const [row] = await db.sql<
        { id: string }[]
      >`insert into deliveries (event_id, user_id, occurrence, send_at, status)
        values (${EVENT}, ${USER}, '2026-03-07', '2026-03-07T09:00:00Z', 'queued') returning id`;
      const id = row?.id ?? "";
      // Two dispatchers, each on a pool that has run nothing yet (a cold start), ask for the same delivery at once.
      const pools = [openDatabase({ url, max: 1 }), openDatabase({ url, max: 1 })];
      const now = new Date("2026-03-07T09:01:00Z");
      const take = async (pool: DatabaseHandle) =>
        Effect.runPromise(
          Effect.provide(
            Effect.flatMap(DeliveryStore, (store) => store.beginDispatch({ ids: [id, id], now, holdSeconds: 60 })),
            await storeOn(pool.sql),
          ),
        );
      const answers = await Promise.all(pools.map(take));
      await Promise.all(pools.map((pool) => pool.close()));
      expect(answers.map((found) => found.length)).toEqual([1, 1]);
      expect(answers.map((found) => found[0]?.taken).sort()).toEqual([false, true]);
      expect(answers.flat().map((found) => found.status)).toEqual(["queued", "queued"]);
      expect(answers.flat()[0]).toMatchObject({ eventType: "birthday", firstName: "Hold", template: null });
    });

    it("records outcomes: an attempt releases the hold, delivered is final and a late failure never replaces it", async () => {
      const { store } = await setup("2026-03-07T09:00:30Z");
      const [row] = await db.sql<{ id: string }[]>`select id from deliveries where event_id = ${EVENT}`;
      const id = row?.id ?? "";
      const at = (minute: number) => new Date(Date.UTC(2026, 2, 7, 9, minute));
      const begin = (minute: number) =>
        store((deliveries) => deliveries.beginDispatch({ ids: [id], now: at(minute), holdSeconds: 60 }));
      await store((deliveries) => deliveries.recordOutcome(id, at(3), { kind: "attempt-failed", reason: "503" }));
      expect((await begin(4))[0]?.taken).toBe(true);
      await store((deliveries) => deliveries.recordOutcome(id, at(5), { kind: "delivered", status: 204 }));
      await store((deliveries) => deliveries.recordOutcome(id, at(6), { kind: "failed", reason: "late" }));
      expect(await begin(7)).toMatchObject([{ id, status: "delivered", taken: false }]);
      const [final] = await db.sql`select status, attempts, response_status from deliveries where id = ${id}`;
      expect(final).toMatchObject({ status: "delivered", attempts: 2, response_status: 204 });
    });
  });
};
