import postgres from "postgres";
import type { MatchingView, SchedulingView } from "./console/views.ts";

export type { MatchingView, SchedulingView };

/**
 * The console's read-only views of the local PostgreSQL, where the function URLs offer no list: the scheduling
 * users with their next messages and deliveries by status, and the matching pool and last batch. Queried as the
 * superuser (the engines run in this process; no function's role is involved) in read-only transactions, so a
 * view can never change what the functions see.
 */
export interface DataViews {
  scheduling(limit: number): Promise<SchedulingView>;
  matching(): Promise<MatchingView>;
  close(): Promise<void>;
}

const iso = (value: unknown): string => (value instanceof Date ? value.toISOString() : String(value));
const counts = (rows: ReadonlyArray<{ status: string; count: number }>): Record<string, number> =>
  Object.fromEntries(rows.map((row) => [row.status, Number(row.count)]));

export const histogram = (scores: readonly number[]): number[] => {
  const buckets = Array.from({ length: 10 }, () => 0);
  for (const score of scores) {
    const index = Math.min(9, Math.max(0, Math.floor(score * 10)));
    buckets[index] = (buckets[index] ?? 0) + 1;
  }
  return buckets;
};

export const makeDataViews = (databaseUrl: string): DataViews => {
  const sql = postgres(databaseUrl, { max: 2, onnotice: () => {}, idle_timeout: 30 });
  const readOnly = <T>(query: (tx: postgres.TransactionSql) => Promise<T>): Promise<T> =>
    sql.begin("read only", query) as Promise<T>;

  return {
    scheduling: (limit) =>
      readOnly(async (tx) => {
        const users = await tx<{ id: string; name: string; birthday: string; time_zone: string }[]>`
          select id, first_name || ' ' || last_name as name, birthday::text as birthday, time_zone
          from users where deleted_at is null order by created_at desc, id limit ${limit}`;
        const ids = users.map((user) => user.id);
        const next = await tx<{ user_id: string; type: string; occurrence: string; send_at: Date; status: string }[]>`
          select d.user_id, e.type, d.occurrence::text as occurrence, d.send_at, d.status
          from deliveries d join yearly_events e on e.id = d.event_id
          where d.user_id = any(${ids}::uuid[]) and d.status in ('pending', 'claimed', 'queued')
          order by d.send_at`;
        const perUser = await tx<{ user_id: string; status: string; count: number }[]>`
          select user_id, status, count(*)::int as count from deliveries
          where user_id = any(${ids}::uuid[]) group by user_id, status`;
        const totals = await tx<{ status: string; count: number }[]>`
          select status, count(*)::int as count from deliveries group by status order by status`;
        const recent = await tx<SchedulingView["recent_deliveries"][number][]>`
          select id, user_id, occurrence::text as occurrence, status, attempts, last_error, updated_at
          from deliveries where status <> 'pending' order by updated_at desc, id limit 20`;
        return {
          deliveries_by_status: counts(totals),
          users: users.map((user) => ({
            id: user.id,
            name: user.name,
            birthday: user.birthday,
            timezone: user.time_zone,
            next_messages: next
              .filter((row) => row.user_id === user.id)
              .map((row) => ({
                type: row.type,
                occurrence: row.occurrence,
                send_at: iso(row.send_at),
                status: row.status,
              })),
            deliveries_by_status: counts(perUser.filter((row) => row.user_id === user.id)),
          })),
          recent_deliveries: recent.map((row) => ({ ...row, updated_at: iso(row.updated_at) })),
        };
      }),
    matching: () =>
      readOnly(async (tx) => {
        const tiers = await tx<{ tier: number; count: number }[]>`
          select tier, count(*)::int as count from pool_entries group by tier`;
        const entries = await tx<{ user_id: string; tier: number; city: string; joined_at: Date }[]>`
          select user_id, tier, city, joined_at from pool_entries order by joined_at, user_id limit 200`;
        const [run] = await tx<
          {
            id: string;
            started_at: Date;
            pool_size: number;
            pairs_created: number;
            pairs_tier_0: number;
            pairs_tier_1: number;
            pairs_tier_2: number;
            promoted: number;
            expired: number;
          }[]
        >`select id, started_at, pool_size, pairs_created, pairs_tier_0, pairs_tier_1, pairs_tier_2, promoted, expired
          from matching_runs where status = 'completed' order by started_at desc, finished_at desc limit 1`;
        const pairs = run
          ? await tx<{ user_a: string; user_b: string; score: number; tier: number; status: string }[]>`
              select user_a, user_b, score, tier, status from matches where run_id = ${run.id}
              order by score desc, user_a`
          : [];
        const byTier = (count: (tier: 0 | 1 | 2) => number) => ({ "0": count(0), "1": count(1), "2": count(2) });
        return {
          pool: {
            by_tier: byTier((tier) => tiers.find((row) => row.tier === tier)?.count ?? 0),
            entries: entries.map((entry) => ({ ...entry, joined_at: iso(entry.joined_at) })),
          },
          last_batch: run
            ? {
                run_id: run.id,
                started_at: iso(run.started_at),
                pool_size: run.pool_size,
                pairs_created: run.pairs_created,
                by_tier: byTier((tier) => run[`pairs_tier_${tier}`]),
                promoted: run.promoted,
                expired: run.expired,
                pairs: pairs.map((pair) => ({ ...pair, score: Number(pair.score) })),
                score_histogram: histogram(pairs.map((pair) => Number(pair.score))),
              }
            : null,
        };
      }),
    close: () => sql.end({ timeout: 2 }),
  };
};
