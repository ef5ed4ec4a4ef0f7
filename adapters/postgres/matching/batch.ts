import * as Effect from "effect/Effect";
import type { PlannedPair } from "../../../core/matching/batch.ts";
import type { Planner, RunFigures } from "../../../core/matching/MatchingStore.ts";
import { pairKey } from "../../../core/matching/model.ts";
import { ENTRY_COLUMNS, type EntryRow, jsonParam, toEntry } from "./rows.ts";
import type { Sql } from "./store.ts";

/**
 * One batch in one transaction, under a transaction-level advisory lock: a second matcher finds the lock taken
 * and reports `skipped_locked`, and a matcher that dies mid-run (or whose Lambda is killed) releases it with its
 * rollback, leaving nothing half-written. Every read and write is one statement for the whole pool.
 *
 * The API keeps working while the batch plans (no table lock): before writing, the batch locks the pool rows it
 * is about to change, and drops any pair whose entry left the pool meanwhile (withdrawn, replaced).
 */

/** Any fixed 64-bit key, the same in every matcher; chosen once and never reused for another lock. */
export const BATCH_LOCK_KEY = "5246081537101";

/** A planner that died: rethrown as a defect, not reported as the database being down. */
export class PlannerDied {
  constructor(readonly cause: unknown) {}
}

const byTierOf = (pairs: readonly PlannedPair[]) => {
  const byTier = { "0": 0, "1": 0, "2": 0 };
  for (const pair of pairs) byTier[pair.tier]++;
  return byTier;
};

export const runBatchIn = async (
  tx: Sql,
  runId: string,
  now: Date,
  matchesExpireAt: Date,
  plan: Planner,
): Promise<RunFigures | "skipped_locked"> => {
  const at = now.toISOString();
  const [lock] = await tx<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(${BATCH_LOCK_KEY}::bigint) as locked`;
  if (!lock?.locked) {
    await tx`insert into matching_runs (id, status, started_at) values (${runId}, 'skipped_locked', ${at})`;
    return "skipped_locked";
  }

  // Matches past their time free their users before the pool is read.
  await tx`with ended as (
      update matches set status = 'expired', updated_at = ${at}
      where status in ('proposed', 'accepted') and expires_at <= ${at} returning id)
    update match_members set active = false where match_id in (select id from ended)`;

  const rows = await tx.unsafe<EntryRow[]>(
    `select ${ENTRY_COLUMNS} from pool_entries p join intentions i on i.id = p.intention_id
     where not exists (select 1 from match_members mm where mm.user_id = p.user_id and mm.active)`,
  );
  const blockedRows = await tx<{ user_a: string; user_b: string }[]>`
    select m.user_a, m.user_b from matches m
    join pool_entries pa on pa.user_id = m.user_a join pool_entries pb on pb.user_id = m.user_b`;
  const blockedPairs = new Set(blockedRows.map((row) => pairKey(row.user_a, row.user_b)));

  const planned = await Effect.runPromise(plan({ entries: rows.map(toEntry), blockedPairs })).catch((cause) => {
    throw new PlannerDied(cause);
  });

  const touched = [
    ...planned.expired,
    ...planned.promoted.map((p) => p.id),
    ...planned.pairs.flatMap((p) => [p.a, p.b]),
  ];
  const still = await tx<{ intention_id: string }[]>`
    select intention_id from pool_entries where intention_id = any(${tx.array(touched)}::uuid[])
    order by intention_id for update`;
  const present = new Set(still.map((row) => row.intention_id));
  const pairs = planned.pairs.filter((p) => present.has(p.a) && present.has(p.b));
  const expired = planned.expired.filter((id) => present.has(id));
  const promoted = planned.promoted.filter((p) => present.has(p.id));
  const byTier = byTierOf(pairs);
  const f = planned.figures;

  await tx`insert into matching_runs (id, status, started_at, pool_size, pairs_created, pairs_tier_0, pairs_tier_1,
      pairs_tier_2, promoted, expired, candidate_edges, total_score, greedy_total_score, pairs_dropped)
    values (${runId}, 'completed', ${at}, ${f.pool_size}, ${pairs.length}, ${byTier[0]}, ${byTier[1]}, ${byTier[2]},
      ${promoted.length}, ${expired.length}, ${f.candidate_edges}, ${f.total_score}, ${f.greedy_total_score},
      ${planned.pairs.length - pairs.length})`;

  await tx`with gone as (
      delete from pool_entries where intention_id = any(${tx.array(expired)}::uuid[]) returning intention_id)
    update intentions set ended_at = ${at}, end_reason = 'expired'
    where id in (select intention_id from gone) and ended_at is null`;

  await tx`update pool_entries p set tier = x.tier
    from jsonb_to_recordset(${jsonParam(promoted)}::text::jsonb) as x(id uuid, tier smallint)
    where p.intention_id = x.id`;

  const expiresAt = matchesExpireAt.toISOString();
  // The database orders each pair (its collation decides `user_a < user_b`, which JavaScript's `<` may not match).
  await tx`with x as (
      select * from jsonb_to_recordset(${jsonParam(pairs)}::text::jsonb)
        as x(a uuid, b uuid, "userA" text, "userB" text, score float8, tier smallint, matched_on text[], relaxed text[])
    ), made as (
      insert into matches (user_a, user_b, intention_a, intention_b, run_id, score, tier, matched_on, relaxed,
        created_at, expires_at, updated_at)
      select least("userA", "userB"), greatest("userA", "userB"),
        case when "userA" < "userB" then a else b end, case when "userA" < "userB" then b else a end,
        ${runId}, score, tier, matched_on, relaxed, ${at}, ${expiresAt}, ${at}
      from x returning id, user_a, user_b)
    insert into match_members (match_id, user_id)
    select id, user_a from made union all select id, user_b from made`;

  const paired = pairs.flatMap((p) => [p.a, p.b]);
  await tx`delete from pool_entries where intention_id = any(${tx.array(paired)}::uuid[])`;

  return {
    pool_size: f.pool_size,
    pairs_created: pairs.length,
    by_tier: byTier,
    promoted: promoted.length,
    expired: expired.length,
  };
};
