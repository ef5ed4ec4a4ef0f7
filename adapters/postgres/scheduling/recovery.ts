import type postgres from "postgres";
import type { GiveUp, StaleClaimRequest, StaleDelivery } from "../../../core/scheduling/DeliveryStore.ts";
import { type ClaimRow, claimedOf } from "./rows.ts";

/**
 * The recovery sweep's statements (decision 0003, "Recovery"): stale `queued` rows are claimed exactly as due
 * rows are (`FOR UPDATE SKIP LOCKED`, a lease named after the scheduler), so concurrent schedulers split them and
 * never re-queue one twice; a dispatcher taking one meanwhile (its old message turned up after all) wins, since
 * settling needs the row still claimed by the sweeper.
 */

type StaleRow = ClaimRow & { requeues: number };

export const claimStale = async (sql: postgres.Sql, request: StaleClaimRequest): Promise<StaleDelivery[]> => {
  const { now, staleBefore, limit, leaseSeconds, owner } = request;
  const leaseUntil = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
  const stale = staleBefore.toISOString();
  const quietSince = new Date(Math.max(staleBefore.getTime(), request.lostBefore?.getTime() ?? 0)).toISOString();
  // `updated_at` is each row's last sign of life: marked queued, taken by a dispatcher, an attempt recorded. The
  // (status, updated_at) index reads only the quiet queued rows. A hold still running is never taken over.
  const rows = await sql<StaleRow[]>`
    with stale as (
      select id from deliveries
      where status = 'queued' and updated_at < ${quietSince}
        and (lease_expires_at is null or lease_expires_at < ${now.toISOString()})
      order by updated_at limit ${limit} for update skip locked
    ), claimed as (
      update deliveries d set status = 'claimed', lease_owner = ${owner}, lease_expires_at = ${leaseUntil},
        -- The old updated_at: only a row quiet past staleBefore counts as lost once more.
        requeues = d.requeues + case when d.updated_at < ${stale} then 1 else 0 end, updated_at = ${now.toISOString()}
      from stale where d.id = stale.id
      returning d.id, d.event_id, d.user_id, d.occurrence, d.send_at, d.requeues
    )
    select c.id, c.event_id, c.user_id, c.occurrence::text, c.send_at, e.date::text as event_date, u.time_zone,
      c.requeues
    from claimed c join yearly_events e on e.id = c.event_id join users u on u.id = c.user_id`;
  return rows.map((row) => ({ ...claimedOf(row), requeues: row.requeues }));
};

export const giveUp = async (sql: postgres.Sql, { owner, now, ids, reason }: GiveUp): Promise<void> => {
  if (ids.length === 0) return;
  // Joined to unnest() on the primary key, as settle is (deliveries.ts says why).
  await sql`update deliveries d set status = 'failed', lease_expires_at = null, last_error = ${reason.slice(0, 500)},
      updated_at = ${now.toISOString()}
    from unnest(${sql.array([...ids])}::uuid[]) as h(id)
    where d.id = h.id and d.status = 'claimed' and d.lease_owner = ${owner}`;
};
