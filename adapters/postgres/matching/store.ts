import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type postgres from "postgres";
import { type Intention, MatchingStore, type PoolState, type Response } from "../../../core/matching/MatchingStore.ts";
import { respondTo } from "../../../core/matching/matches.ts";
import { cityOf } from "../../../core/matching/profile.ts";
import { Conflict, DependencyUnavailable, Forbidden, NotFound } from "../../../core/shared/errors.ts";
import { withDependencySpans } from "../../dependency-spans.ts";
import { toDate } from "../scheduling/rows.ts";
import { PlannerDied, runBatchIn } from "./batch.ts";
import {
  ENTRY_COLUMNS,
  type EntryRow,
  floatArray,
  INTENTION_COLUMNS,
  type IntentionRow,
  isUniqueViolation,
  isUuid,
  jsonParam,
  MATCH_COLUMNS,
  type MatchRow,
  query,
  toEntry,
  toIntention,
  toMatch,
} from "./rows.ts";

export type Sql = postgres.Sql | postgres.TransactionSql;

/** A refusal decided inside a transaction, thrown so postgres.js rolls it back, then failed with as itself. */
class Refused<E> {
  constructor(readonly error: E) {}
}

/** Runs `body` in a transaction: Refused -> its error, a unique-index race -> Conflict, else DependencyUnavailable. */
const transact = <A, E = never>(sql: postgres.Sql, body: (tx: Sql) => Promise<A>) =>
  Effect.tryPromise({
    try: () => sql.begin((tx) => body(tx)) as Promise<A>,
    catch: (cause): E | Conflict | DependencyUnavailable => {
      if (cause instanceof Refused) return cause.error as E;
      if (isUniqueViolation(cause)) return new Conflict({ message: "a concurrent change won; try again" });
      return new DependencyUnavailable({ dependency: "database", cause });
    },
  });

/** Most pool entries the candidates route scores per request, longest waiting first. */
const CANDIDATE_SCAN_LIMIT = 5_000;

const activeMatchOf = async (sql: Sql, userId: string, now: Date) => {
  const [row] = await sql.unsafe<MatchRow[]>(
    `select ${MATCH_COLUMNS} from match_members mm join matches m on m.id = mm.match_id
     where mm.user_id = $1 and mm.active and m.status in ('proposed', 'accepted') and m.expires_at > $2 limit 1`,
    [userId, now.toISOString()],
  );
  return row ? toMatch(row) : undefined;
};

/**
 * One user's intention writes (replace, withdraw, a decline's requeue) run one after another. Unserialized, two of
 * them each read a snapshot without the other's rows and then wait on each other's row locks (a deadlock, once a
 * 503), or miss the other's new intention and fail the one-active-intention index (a 409 for a write that should
 * simply replace), or leave a pool entry for an ended intention. A transaction-level advisory lock per user makes
 * each see the last one's committed state; it is the two-key form, a space apart from the batch's one-key lock.
 */
const USER_LOCK_SPACE = 0x696e74; // "int"(ention)
const lockUser = (tx: Sql, userId: string) =>
  tx`select pg_advisory_xact_lock(${USER_LOCK_SPACE}::int, hashtext(${userId}))`;

const insertPoolEntry = (tx: Sql, intention: Intention, pool: PoolState) =>
  tx`insert into pool_entries (intention_id, user_id, city, tier, joined_at)
    values (${intention.id}, ${intention.userId}, ${cityOf(intention.chips)}, ${pool.tier}, ${pool.joinedAt.toISOString()})
    on conflict do nothing`;

const replaceIntentionIn = async (tx: Sql, intention: Intention, pool: PoolState, now: Date) => {
  await lockUser(tx, intention.userId);
  // First the pool row: it waits for a batch holding it, so the match check below sees that batch's matches.
  await tx`delete from pool_entries where user_id = ${intention.userId}`;
  if (await activeMatchOf(tx, intention.userId, now)) {
    throw new Refused(new Conflict({ message: "you have an active match; decline it or let it expire first" }));
  }
  const ended = await tx`update intentions set ended_at = ${now.toISOString()}, end_reason = 'replaced'
    where user_id = ${intention.userId} and ended_at is null returning id`;
  await tx`insert into intentions (id, user_id, text, chips, embedding, created_at)
    values (${intention.id}, ${intention.userId}, ${intention.text ?? null}, ${jsonParam(intention.chips)}::text::jsonb,
      ${floatArray(intention.embedding)}::float8[], ${intention.createdAt.toISOString()})`;
  await insertPoolEntry(tx, intention, pool);
  return { replaced: ended.length > 0 };
};

const respondIn = async (tx: Sql, matchId: string, userId: string, response: Response, now: Date) => {
  const [row] = await tx.unsafe<MatchRow[]>(`select ${MATCH_COLUMNS} from matches m where m.id = $1 for update`, [
    matchId,
  ]);
  if (!row) throw new Refused(new NotFound({ resource: "match", id: matchId }));
  const match = toMatch(row);
  const result = respondTo(match, userId, response, now);
  if (result instanceof Forbidden || result instanceof Conflict) throw new Refused(result);
  const next = result.match;
  const at = now.toISOString();
  await tx`update matches set status = ${next.status}, accepted_a = ${next.acceptedA}, accepted_b = ${next.acceptedB},
    updated_at = ${at} where id = ${matchId}`;
  if (next.status === "declined") {
    await tx`update match_members set active = false where match_id = ${matchId}`;
    await tx`insert into match_declines (match_id, user_id, declined_at) values (${matchId}, ${userId}, ${at})`;
    // In the users' order, so two requeues can never wait on each other.
    for (const member of [match.userA, match.userB].sort()) await lockUser(tx, member);
    // Back to the pool with their original joining time (so waiting, tier and expiry carry on), if still wanted.
    const back = await tx.unsafe<IntentionRow[]>(
      `select ${INTENTION_COLUMNS} from intentions i where i.id = any($1::uuid[]) and i.ended_at is null`,
      [[...result.requeue]],
    );
    for (const intention of back.map(toIntention)) {
      await insertPoolEntry(tx, intention, { tier: match.tier, joinedAt: intention.createdAt });
    }
  }
  return next;
};

/** The matching store on Postgres (postgres.js pool from adapters/postgres/client.ts). */
export const postgresMatchingStore = (sql: postgres.Sql): Layer.Layer<MatchingStore> =>
  Layer.succeed(
    MatchingStore,
    withDependencySpans("postgres.matching", makePostgresMatchingStore(sql), {
      currentIntention: (userId) => ({ user_id: userId }),
      withdraw: (userId) => ({ user_id: userId }),
      activeMatch: (userId) => ({ user_id: userId }),
      respond: (matchId, userId) => ({ match_id: matchId, user_id: userId }),
      recordFeedback: (matchId, userId) => ({ match_id: matchId, user_id: userId }),
      runBatch: (runId) => ({ run_id: runId }),
    }),
  );

/** The store itself, for tests that wrap one of its methods. */
export const makePostgresMatchingStore = (sql: postgres.Sql): MatchingStore["Service"] =>
  MatchingStore.of({
    ping: query(() => sql`select 1`).pipe(Effect.asVoid),
    replaceIntention: (intention, pool, now) =>
      transact<{ replaced: boolean }, Conflict>(sql, (tx) => replaceIntentionIn(tx, intention, pool, now)),
    currentIntention: (userId) =>
      query(() =>
        sql.unsafe<(IntentionRow & { tier: number | null; joined_at: Date | string | null })[]>(
          `select ${INTENTION_COLUMNS}, p.tier, p.joined_at from intentions i
             left join pool_entries p on p.intention_id = i.id where i.user_id = $1 and i.ended_at is null`,
          [userId],
        ),
      ).pipe(
        Effect.map(([row]) =>
          row === undefined
            ? undefined
            : {
                intention: toIntention(row),
                pool:
                  row.tier === null || row.joined_at === null
                    ? undefined
                    : { tier: row.tier as PoolState["tier"], joinedAt: toDate(row.joined_at) },
              },
        ),
      ),
    withdraw: (userId, now) =>
      transact(sql, async (tx) => {
        await lockUser(tx, userId);
        await tx`delete from pool_entries where user_id = ${userId}`;
        const ended = await tx`update intentions set ended_at = ${now.toISOString()}, end_reason = 'withdrawn'
            where user_id = ${userId} and ended_at is null returning id`;
        return ended.length > 0;
      }).pipe(
        Effect.catchTag("Conflict", (cause) =>
          Effect.fail(new DependencyUnavailable({ dependency: "database", cause })),
        ),
      ),
    activeMatch: (userId, now) => query(() => activeMatchOf(sql, userId, now)),
    respond: (matchId, userId, response, now) =>
      isUuid(matchId)
        ? transact<ReturnType<typeof toMatch>, NotFound | Forbidden | Conflict>(sql, (tx) =>
            respondIn(tx, matchId, userId, response, now),
          )
        : Effect.fail(new NotFound({ resource: "match", id: matchId })),
    recordFeedback: (matchId, userId, feedback, now) => {
      if (!isUuid(matchId)) return Effect.fail(new NotFound({ resource: "match", id: matchId }));
      return transact<void, NotFound | Forbidden>(sql, async (tx) => {
        const [row] = await tx<{ user_a: string; user_b: string }[]>`
            select user_a, user_b from matches where id = ${matchId}`;
        if (!row) throw new Refused(new NotFound({ resource: "match", id: matchId }));
        if (row.user_a !== userId && row.user_b !== userId) {
          throw new Refused(new Forbidden({ message: "this match is not yours" }));
        }
        await tx`insert into match_feedback (match_id, user_id, matched_on, was_accurate, created_at)
            values (${matchId}, ${userId}, ${tx.array([...feedback.matchedOn])}::text[], ${feedback.wasAccurate},
              ${now.toISOString()})
            on conflict (match_id, user_id) do update
            set matched_on = excluded.matched_on, was_accurate = excluded.was_accurate, created_at = excluded.created_at`;
      }).pipe(
        Effect.catchTag("Conflict", (cause) =>
          Effect.fail(new DependencyUnavailable({ dependency: "database", cause })),
        ),
      );
    },
    poolIn: (cities) =>
      query(() =>
        sql.unsafe<EntryRow[]>(
          `select ${ENTRY_COLUMNS} from pool_entries p join intentions i on i.id = p.intention_id
             where p.city = any($1::text[]) order by p.joined_at, p.intention_id limit ${CANDIDATE_SCAN_LIMIT}`,
          [[...cities]],
        ),
      ).pipe(Effect.map((rows) => rows.map(toEntry))),
    pastPartners: (userId) =>
      query(
        () => sql<{ partner: string }[]>`
            select case when user_a = ${userId} then user_b else user_a end as partner
            from matches where user_a = ${userId} or user_b = ${userId}`,
      ).pipe(Effect.map((rows) => new Set(rows.map((row) => row.partner)))),
    runBatch: (runId, now, matchesExpireAt, plan) =>
      Effect.tryPromise({
        try: () => sql.begin((tx) => runBatchIn(tx, runId, now, matchesExpireAt, plan)),
        catch: (cause) => cause,
      }).pipe(
        Effect.catch((cause) =>
          cause instanceof PlannerDied
            ? Effect.die(cause.cause)
            : Effect.fail(new DependencyUnavailable({ dependency: "database", cause })),
        ),
      ),
  });
