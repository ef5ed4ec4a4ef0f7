import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Result from "effect/Result";
import type postgres from "postgres";
import { DELIVERY_STATUSES, type PendingDelivery } from "../../../core/scheduling/model.ts";
import {
  type UserChange,
  type UserDetails,
  UserRepository,
  type UserSnapshot,
} from "../../../core/scheduling/UserRepository.ts";
import { DependencyUnavailable, NotFound } from "../../../core/shared/errors.ts";
import { withDependencySpans } from "../../dependency-spans.ts";
import {
  DELIVERY_COLUMNS,
  type DeliveryRow,
  EVENT_COLUMNS,
  type EventRow,
  isUuid,
  query,
  toDelivery,
  toEvent,
  toUser,
  USER_COLUMNS,
  type UserRow,
} from "./rows.ts";

type Sql = postgres.Sql | postgres.TransactionSql;

/** A plan's refusal, carried through postgres.js's transaction (which rolls back on a throw). */
class Refused {
  constructor(readonly error: unknown) {}
}

const RECENT_LIMIT = 10;

const readSnapshot = async (sql: Sql, id: string, lock: boolean): Promise<UserSnapshot | undefined> => {
  const [user] = await sql.unsafe<UserRow[]>(
    `select ${USER_COLUMNS} from users where id = $1 and deleted_at is null ${lock ? "for update" : ""}`,
    [id],
  );
  if (!user) return undefined;
  const events = await sql.unsafe<EventRow[]>(
    `select ${EVENT_COLUMNS} from yearly_events where user_id = $1 and deleted_at is null order by created_at, id`,
    [id],
  );
  const sent = await sql<{ event_id: string; year: number }[]>`
    select event_id, max(extract(year from occurrence))::int as year from deliveries
    where user_id = ${id} and status not in ('pending', 'cancelled') group by event_id`;
  const pending = await sql.unsafe<DeliveryRow[]>(
    `select ${DELIVERY_COLUMNS} from deliveries where user_id = $1 and status = 'pending' order by send_at`,
    [id],
  );
  return {
    user: toUser(user),
    events: events.map(toEvent),
    sentYears: Object.fromEntries(sent.map((row) => [row.event_id, row.year])),
    pending: pending.map(toDelivery),
  };
};

const readDetails = async (sql: Sql, id: string): Promise<UserDetails | undefined> => {
  const snapshot = await readSnapshot(sql, id, false);
  if (!snapshot) return undefined;
  const recent = await sql.unsafe<DeliveryRow[]>(
    `select ${DELIVERY_COLUMNS} from deliveries where user_id = $1 and status <> 'pending'
     order by occurrence desc, updated_at desc limit ${RECENT_LIMIT}`,
    [id],
  );
  return { ...snapshot, recent: recent.map(toDelivery) };
};

/** Inserts pending rows in one statement; an existing (event, occurrence) row wins. */
export const insertPending = async (sql: Sql, rows: readonly PendingDelivery[]): Promise<void> => {
  if (rows.length === 0) return;
  await sql`
    insert into deliveries (event_id, user_id, occurrence, send_at, status)
    select * , 'pending' from unnest(
      ${sql.array(rows.map((r) => r.eventId))}::uuid[], ${sql.array(rows.map((r) => r.userId))}::uuid[],
      ${sql.array(rows.map((r) => r.occurrence))}::date[], ${sql.array(rows.map((r) => r.sendAt.toISOString()))}::timestamptz[])
    on conflict (event_id, occurrence) do nothing`;
};

const writeChange = async (sql: Sql, change: UserChange, created: boolean): Promise<void> => {
  const u = change.user;
  if (created) {
    await sql`insert into users (id, first_name, last_name, email, birthday, time_zone, created_at, updated_at)
      values (${u.id}, ${u.firstName}, ${u.lastName}, ${u.email}, ${u.birthday}, ${u.timeZone}, ${u.createdAt.toISOString()}, ${u.updatedAt.toISOString()})`;
  } else {
    await sql`update users set first_name = ${u.firstName}, last_name = ${u.lastName}, email = ${u.email},
      birthday = ${u.birthday}, time_zone = ${u.timeZone}, updated_at = ${u.updatedAt.toISOString()} where id = ${u.id}`;
  }
  for (const e of change.events) {
    await sql`insert into yearly_events (id, user_id, type, date, message, created_at)
      values (${e.id}, ${e.userId}, ${e.type}, ${e.date}, ${e.message}, ${e.createdAt.toISOString()})
      on conflict (id) do update set date = excluded.date, message = excluded.message`;
  }
  if (change.removedEventIds.length > 0) {
    const removed = sql.array([...change.removedEventIds]);
    await sql`update yearly_events set deleted_at = ${u.updatedAt.toISOString()} where id = any(${removed}::uuid[])`;
    await sql`update deliveries set status = 'cancelled', lease_expires_at = null, updated_at = ${u.updatedAt.toISOString()}
      where event_id = any(${removed}::uuid[]) and status in ('pending', 'claimed', 'queued')`;
  }
  if (!created) await sql`delete from deliveries where user_id = ${u.id} and status = 'pending'`;
  await insertPending(sql, change.pending);
};

export const postgresUserRepository = (sql: postgres.Sql): Layer.Layer<UserRepository> =>
  Layer.succeed(
    UserRepository,
    withDependencySpans("postgres.users", userRepository(sql), {
      find: (id) => ({ user_id: id }),
      modify: (id) => ({ user_id: id }),
      remove: (id) => ({ user_id: id }),
    }),
  );

const userRepository = (sql: postgres.Sql): UserRepository["Service"] =>
  UserRepository.of({
    create: (change) => query(() => sql.begin((tx) => writeChange(tx, change, true))),
    find: (id) => (isUuid(id) ? query(() => readDetails(sql, id)) : Effect.succeed(undefined)),
    modify: <E>(id: string, plan: (snapshot: UserSnapshot) => Result.Result<UserChange, E>) => {
      if (!isUuid(id)) return Effect.fail(new NotFound({ resource: "user", id }));
      return Effect.tryPromise({
        try: () =>
          sql.begin(async (tx) => {
            const snapshot = await readSnapshot(tx, id, true);
            if (!snapshot) throw new Refused(new NotFound({ resource: "user", id }));
            const planned = plan(snapshot);
            if (Result.isFailure(planned)) throw new Refused(planned.failure);
            await writeChange(tx, planned.success, false);
            return readDetails(tx, id);
          }),
        catch: (cause) =>
          cause instanceof Refused
            ? (cause.error as E | NotFound)
            : new DependencyUnavailable({ dependency: "database", cause }),
      }).pipe(
        Effect.flatMap((details) =>
          details ? Effect.succeed(details) : Effect.fail(new NotFound({ resource: "user", id })),
        ),
      );
    },
    remove: (id, now) => {
      if (!isUuid(id)) return Effect.fail(new NotFound({ resource: "user", id }));
      return query(() =>
        sql.begin(async (tx) => {
          const gone =
            await tx`update users set deleted_at = ${now.toISOString()} where id = ${id} and deleted_at is null returning id`;
          if (gone.length === 0) return false;
          await tx`update yearly_events set deleted_at = ${now.toISOString()} where user_id = ${id} and deleted_at is null`;
          await tx`update deliveries set status = 'cancelled', lease_expires_at = null, updated_at = ${now.toISOString()}
            where user_id = ${id} and status in ('pending', 'claimed', 'queued')`;
          return true;
        }),
      ).pipe(
        Effect.flatMap((removed) => (removed ? Effect.void : Effect.fail(new NotFound({ resource: "user", id })))),
      );
    },
    // Each status is one scan of deliveries_status_idx (status, updated_at); the listing of every status merges
    // their heads, so neither ever sorts the whole table, however many delivered rows pile up.
    listDeliveries: ({ status, limit }) => {
      const n = Math.max(1, Math.min(500, Math.floor(limit)));
      const head = (index: number) =>
        `(select ${DELIVERY_COLUMNS} from deliveries where status = $${index + 1} order by updated_at desc, id limit ${n})`;
      const statuses = status ? [status] : [...DELIVERY_STATUSES];
      return query(() =>
        sql.unsafe<DeliveryRow[]>(
          `select * from (${statuses.map((_, index) => head(index)).join(" union all ")}) as heads
           order by updated_at desc, id limit ${n}`,
          statuses,
        ),
      ).pipe(Effect.map((rows) => rows.map(toDelivery)));
    },
    ping: query(() => sql`select 1`).pipe(Effect.asVoid),
  });
