import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type postgres from "postgres";
import { DeliveryStore, type DispatchDelivery } from "../../../core/scheduling/DeliveryStore.ts";
import type { DeliveryStatus, EventType, PendingDelivery } from "../../../core/scheduling/model.ts";
import { withDependencySpans } from "../../dependency-spans.ts";
import { claimStale, giveUp } from "./recovery.ts";
import { type ClaimRow, claimedOf, isUuid, query, toDate } from "./rows.ts";
import { insertPending } from "./users.ts";

interface DispatchRow {
  id: string;
  status: string;
  taken: boolean;
  user_id: string;
  event_id: string;
  event_type: string;
  event_date: string;
  template: string | null;
  occurrence: string;
  send_at: Date | string;
  first_name: string;
  last_name: string;
}

/** Next occurrences, only for events still live and without a pending row (an edit may have made one). */
const insertNext = async (tx: postgres.TransactionSql, next: readonly PendingDelivery[]): Promise<void> => {
  if (next.length === 0) return;
  const live = await tx<{ id: string }[]>`
    select e.id from yearly_events e join users u on u.id = e.user_id
    where e.id = any(${tx.array(next.map((row) => row.eventId))}::uuid[])
      and e.deleted_at is null and u.deleted_at is null
      and not exists (select 1 from deliveries p where p.event_id = e.id and p.status = 'pending')`;
  const keep = new Set(live.map((row) => row.id));
  await insertPending(
    tx,
    next.filter((row) => keep.has(row.eventId)),
  );
};

/**
 * Deliveries for the scheduler and the dispatcher, in bulk: one statement claims a whole batch, one transaction
 * settles it. Claims take due pending rows and rows whose lease expired (a scheduler died holding them) with
 * `FOR UPDATE SKIP LOCKED`, so concurrent schedulers split the work without waiting on each other.
 */
export const postgresDeliveryStore = (sql: postgres.Sql): Layer.Layer<DeliveryStore> =>
  Layer.succeed(
    DeliveryStore,
    withDependencySpans("postgres.deliveries", deliveryStore(sql), { recordOutcome: (id) => ({ delivery_id: id }) }),
  );

const deliveryStore = (sql: postgres.Sql): DeliveryStore["Service"] =>
  DeliveryStore.of({
    claimDue: ({ now, limit, leaseSeconds, owner, nextOf }) =>
      query(() =>
        sql.begin(async (tx) => {
          const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000);
          const rows = await tx<ClaimRow[]>`
            with expired as (
              select id from deliveries where status = 'claimed' and lease_expires_at < ${now.toISOString()}
              order by lease_expires_at limit ${limit} for update skip locked
            ), due as (
              select id from deliveries where status = 'pending' and send_at <= ${now.toISOString()}
              order by send_at limit ${limit} for update skip locked
            ), picked as (
              select id from expired union all select id from due limit ${limit}
            ), claimed as (
              update deliveries d set status = 'claimed', lease_owner = ${owner},
                lease_expires_at = ${leaseUntil.toISOString()}, updated_at = ${now.toISOString()}
              from picked where d.id = picked.id
              returning d.id, d.event_id, d.user_id, d.occurrence, d.send_at
            )
            select c.id, c.event_id, c.user_id, c.occurrence::text, c.send_at, e.date::text as event_date, u.time_zone
            from claimed c join yearly_events e on e.id = c.event_id join users u on u.id = c.user_id`;
          const claimed = rows.map(claimedOf);
          if (nextOf && claimed.length > 0) await insertNext(tx, nextOf(claimed));
          return claimed;
        }),
      ),

    settle: ({ owner, now, queued, skipped, released }) =>
      query(() =>
        sql.begin(async (tx) => {
          // Joined to unnest() on the primary key, not `id = any(...)`: postgres.js prepares statements, and after
          // five runs PostgreSQL's generic plan for `any` scanned the status index testing every row against the
          // whole array, 20-40x slower on a 50,000-delivery burst (bench/scheduling.ts).
          const held = (ids: readonly string[]) => tx.array([...ids]);
          if (queued.length > 0) {
            await tx`update deliveries d set status = 'queued', lease_expires_at = null, updated_at = ${now.toISOString()}
              from unnest(${held(queued)}::uuid[]) as h(id)
              where d.id = h.id and d.status = 'claimed' and d.lease_owner = ${owner}`;
          }
          if (skipped.length > 0) {
            await tx`update deliveries d set status = 'skipped', lease_expires_at = null, updated_at = ${now.toISOString()},
              last_error = 'past the late window'
              from unnest(${held(skipped)}::uuid[]) as h(id)
              where d.id = h.id and d.status = 'claimed' and d.lease_owner = ${owner}`;
          }
          if (released.length > 0) {
            await tx`update deliveries d set status = 'pending', lease_owner = null, lease_expires_at = null,
              updated_at = ${now.toISOString()}
              from unnest(${held(released)}::uuid[]) as h(id)
              where d.id = h.id and d.status = 'claimed' and d.lease_owner = ${owner}`;
          }
        }),
      ),

    claimStale: (request) => query(() => claimStale(sql, request)),

    giveUp: (request) => query(() => giveUp(sql, request)),

    beginDispatch: ({ ids, now, holdSeconds }) => {
      const valid = ids.filter(isUuid);
      if (valid.length === 0) return Effect.succeed([]);
      const holdUntil = new Date(now.getTime() + holdSeconds * 1000).toISOString();
      // Ids as one text parameter: postgres.js serializes `sql.array` wrongly when it is the first query of a fresh
      // pool (before array types are fetched), which the dispatcher's first invocation is. Validated UUIDs hold no
      // commas. Joined on the primary key, as in settle, so a generic plan cannot wander into a status index.
      const idList = valid.join(",");
      // A hold is a `queued` row with a lease in the future; a `claimed` row's lease is its scheduler's, and the
      // received message proves that scheduler enqueued it. Concurrent takers serialize on the row lock and the
      // loser re-reads the held row, so only one of them posts.
      return query(
        () => sql<DispatchRow[]>`
          with wanted as (
            select distinct id from unnest(string_to_array(${idList}, ',')::uuid[]) as w(id)
          ), taken as (
            update deliveries d set status = 'queued', lease_owner = 'dispatcher', lease_expires_at = ${holdUntil},
              updated_at = ${now.toISOString()}
            from wanted w
            where d.id = w.id and (d.status = 'claimed' or (d.status = 'queued'
                and (d.lease_expires_at is null or d.lease_expires_at < ${now.toISOString()})))
              -- Deleting a user cancels its deliveries; this closes the race with a claim committed meanwhile.
              and not exists (select 1 from users u where u.id = d.user_id and u.deleted_at is not null)
            returning d.id
          )
          select d.id, case when t.id is null then d.status else 'queued' end as status, t.id is not null as taken,
            d.user_id, d.event_id, e.type as event_type, e.date::text as event_date, e.message as template,
            d.occurrence::text, d.send_at, u.first_name, u.last_name
          from wanted w join deliveries d on d.id = w.id
            join yearly_events e on e.id = d.event_id join users u on u.id = d.user_id
            left join taken t on t.id = d.id`,
      ).pipe(
        Effect.map((rows) =>
          rows.map(
            (row): DispatchDelivery => ({
              id: row.id,
              status: row.status as DeliveryStatus,
              taken: row.taken,
              userId: row.user_id,
              eventId: row.event_id,
              eventType: row.event_type as EventType,
              eventDate: row.event_date,
              template: row.template,
              occurrence: row.occurrence,
              sendAt: toDate(row.send_at),
              firstName: row.first_name,
              lastName: row.last_name,
            }),
          ),
        ),
      );
    },

    recordOutcome: (id, now, outcome) =>
      query(async () => {
        const status = outcome.kind === "delivered" ? "delivered" : outcome.kind === "failed" ? "failed" : null;
        const error = outcome.kind === "delivered" ? null : outcome.reason.slice(0, 500);
        const code = outcome.kind === "delivered" ? outcome.status : null;
        // A final state only replaces an unsent one: a late retry never turns `delivered` into `failed`. The hold
        // is released either way (a claimed row keeps its scheduler's lease, which its check requires).
        await sql`update deliveries set attempts = attempts + 1, last_error = ${error}, updated_at = ${now.toISOString()},
            status = coalesce(${status}, status), response_status = coalesce(${code}, response_status),
            lease_expires_at = case when status = 'claimed' and ${status}::text is null then lease_expires_at end
          where id = ${id} and status in ('pending', 'claimed', 'queued')`;
      }),
  });
