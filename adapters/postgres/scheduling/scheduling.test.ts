import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_POLICY } from "../../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../../core/scheduling/SchedulingSettings.ts";
import { runSchedulerTick } from "../../../core/scheduling/scheduler.ts";
import { createUser, deleteUser, getUser, updateUser } from "../../../core/scheduling/users.ts";
import { freshDatabase } from "../../local-engines/testing.ts";
import { SettableClock } from "../../memory/clock.ts";
import { cryptoIds } from "../../node/system.ts";
import { type DatabaseHandle, openDatabase } from "../client.ts";
import { postgresDeliveryStore } from "./deliveries.ts";
import { deliveryStoreContract, recordingQueue, seedDueDeliveries } from "./delivery-store-contract.ts";
import { postgresUserRepository } from "./users.ts";

let db: DatabaseHandle;
beforeAll(async () => {
  db = openDatabase({ url: await freshDatabase({ migrate: true }), max: 10 });
});
afterAll(() => db?.close());

const seedDue = (count: number, tag: string) => seedDueDeliveries(db.sql, count, tag);

const setup = (start: string) => {
  const clock = new SettableClock(start);
  const { queued, queue } = recordingQueue();
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

deliveryStoreContract("postgres", async (sql) => postgresDeliveryStore(sql));

describe("postgres scheduling", () => {
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
});
