import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryQueue } from "../../../core/scheduling/DeliveryQueue.ts";
import { DeliveryStore } from "../../../core/scheduling/DeliveryStore.ts";
import { DEFAULT_POLICY } from "../../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../../core/scheduling/SchedulingSettings.ts";
import { runSchedulerTick } from "../../../core/scheduling/scheduler.ts";
import { createUser, deleteUser, getUser, updateUser } from "../../../core/scheduling/users.ts";
import { freshDatabase } from "../../local-engines/testing.ts";
import { SettableClock } from "../../memory/clock.ts";
import { cryptoIds } from "../../node/system.ts";
import { type DatabaseHandle, openDatabase } from "../client.ts";
import { postgresDeliveryStore } from "./deliveries.ts";
import { postgresUserRepository } from "./users.ts";

let db: DatabaseHandle;
beforeAll(async () => {
  db = openDatabase({ url: await freshDatabase({ migrate: true }), max: 10 });
});
afterAll(() => db?.close());

/** `count` users born on 1990-03-07 in UTC, each with a delivery due at 2026-03-07T09:00Z, in one statement. */
const seedDue = (count: number, tag: string) => db.sql`
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

const statusCounts = async (tag: string) =>
  Object.fromEntries(
    (
      await db.sql<{ status: string; n: number }[]>`
        select d.status, count(*)::int as n from deliveries d join users u on u.id = d.user_id
        where u.first_name = ${tag} group by d.status`
    ).map((row) => [row.status, row.n]),
  );

const setup = (start: string) => {
  const clock = new SettableClock(start);
  const queued: string[] = [];
  const queue = Layer.succeed(DeliveryQueue, {
    enqueue: (ids) =>
      Effect.sync(() => {
        queued.push(...ids);
        return { accepted: [...ids], failed: [] };
      }),
    deadLetter: (ids) => Effect.succeed({ accepted: [...ids], failed: [] }),
  });
  const layer = Layer.mergeAll(
    postgresUserRepository(db.sql),
    postgresDeliveryStore(db.sql),
    queue,
    clock.layer,
    cryptoIds,
    Layer.succeed(SchedulingSettings, DEFAULT_POLICY),
  );
  const run = <A, E>(effect: Effect.Effect<A, E, Layer.Success<typeof layer>>) =>
    Effect.runPromise(Effect.provide(effect, layer));
  return { clock, queued, run };
};

describe("postgres scheduling", () => {
  it("eight schedulers ticking at once over 5,000 due deliveries enqueue each exactly once", async () => {
    await seedDue(5000, "eight");
    const { run, queued } = setup("2026-03-07T09:00:30Z");
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
    const { run, clock, queued } = setup("2026-03-07T09:00:30Z");
    const claimed = await run(
      Effect.gen(function* () {
        const store = yield* DeliveryStore;
        return yield* store.claimDue({ now: clock.now(), limit: 1000, leaseSeconds: 120, owner: "dies-after-claim" });
      }),
    );
    expect(claimed.length).toBeGreaterThanOrEqual(30);
    clock.advance(60_000);
    expect((await run(runSchedulerTick({ owner: "survivor" }))).claimed).toBe(0);
    clock.advance(61_000);
    const tick = await run(runSchedulerTick({ owner: "survivor" }));
    expect(tick.queued).toBe(claimed.length);
    expect(new Set(queued).size).toBe(queued.length);
    expect(await statusCounts("crash")).toEqual({ queued: 30, pending: 30 });
  });

  it("keeps one delivery per (event, occurrence) whatever inserts it", async () => {
    await seedDue(1, "unique");
    const [row] = await db.sql<{ event_id: string; user_id: string }[]>`
      select d.event_id, d.user_id from deliveries d join users u on u.id = d.user_id where u.first_name = 'unique'`;
    await expect(
      db.sql`insert into deliveries (event_id, user_id, occurrence, send_at)
        values (${row?.event_id ?? ""}, ${row?.user_id ?? ""}, '2026-03-07', now())`,
    ).rejects.toThrow(/deliveries_event_occurrence_key/);
  });

  it("creates, recomputes in one transaction, and deletes users, cancelling what was not sent", async () => {
    const { run, clock } = setup("2026-03-01T00:00:00Z");
    const created = await run(
      createUser({ first_name: "Ada", last_name: "King", birthday: "1990-03-07", timezone: "America/New_York" }),
    );
    const moved = await run(updateUser(created.user.id, { timezone: "Europe/London", first_name: "Augusta" }));
    expect(moved.user).toMatchObject({ firstName: "Augusta", timeZone: "Europe/London" });
    expect(moved.pending.map((d) => [d.occurrence, d.sendAt.toISOString()])).toEqual([
      ["2026-03-07", "2026-03-07T09:00:00.000Z"],
    ]);
    clock.set("2026-03-07T09:00:30Z");
    await run(runSchedulerTick({ owner: "s" }));
    const after = await run(getUser(created.user.id));
    expect(after.recent.map((d) => d.status)).toEqual(["queued"]);
    expect(after.pending.map((d) => d.occurrence)).toEqual(["2027-03-07"]);
    await run(deleteUser(created.user.id));
    const gone = await run(Effect.flip(getUser(created.user.id)));
    expect(gone._tag).toBe("NotFound");
    const rows = await db.sql`select status from deliveries where user_id = ${created.user.id} order by occurrence`;
    expect(rows.map((r) => r.status)).toEqual(["cancelled", "cancelled"]);
    expect((await run(Effect.flip(getUser("not-a-uuid"))))._tag).toBe("NotFound");
  });

  it("holds a delivery for one dispatcher at a time, even as a fresh pool's first query", async () => {
    const url = await freshDatabase({ migrate: true });
    const seeded = openDatabase({ url, max: 1 });
    await seeded.sql`insert into users (id, first_name, last_name, birthday, time_zone, created_at, updated_at)
      values ('0193a8f0-0000-7000-8000-00000000000a', 'Hold', 'Me', '1990-03-07', 'UTC', now(), now())`;
    await seeded.sql`insert into yearly_events (id, user_id, type, date, created_at)
      values ('0193a8f0-0000-7000-8000-00000000000b', '0193a8f0-0000-7000-8000-00000000000a', 'birthday', '1990-03-07', now())`;
    const [row] = await seeded.sql<
      { id: string }[]
    >`insert into deliveries (event_id, user_id, occurrence, send_at, status)
      values ('0193a8f0-0000-7000-8000-00000000000b', '0193a8f0-0000-7000-8000-00000000000a', '2026-03-07',
        '2026-03-07T09:00:00Z', 'queued') returning id`;
    await seeded.close();
    // Two dispatchers, each on a pool that has run nothing yet (a cold start), ask for the same delivery at once.
    const pools = [openDatabase({ url, max: 1 }), openDatabase({ url, max: 1 })];
    const take = (pool: DatabaseHandle) =>
      Effect.runPromise(
        Effect.provide(
          Effect.gen(function* () {
            const store = yield* DeliveryStore;
            const request = {
              ids: [row?.id ?? "", row?.id ?? ""],
              now: new Date("2026-03-07T09:01:00Z"),
              holdSeconds: 60,
            };
            return yield* store.beginDispatch(request);
          }),
          postgresDeliveryStore(pool.sql),
        ),
      );
    const answers = await Promise.all(pools.map(take));
    await Promise.all(pools.map((pool) => pool.close()));
    expect(answers.map((found) => found.length)).toEqual([1, 1]);
    expect(answers.map((found) => found[0]?.taken).sort()).toEqual([false, true]);
    expect(answers.flat().map((found) => found.status)).toEqual(["queued", "queued"]);
  });
});
