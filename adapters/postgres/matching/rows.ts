import type { Intention, Match, MatchStatus } from "../../../core/matching/MatchingStore.ts";
import type { Chips, PoolEntry, Tier } from "../../../core/matching/model.ts";
import { toDate } from "../scheduling/rows.ts";

/** Row shapes of the matching tables (postgres.js, raw SQL) and their mapping to the core's types. */

export { isUuid, query } from "../scheduling/rows.ts";

/**
 * drizzle's postgres.js driver passes JSON parameters through unserialised while a plain postgres.js pool
 * stringifies them, so every jsonb parameter is sent as text (`${jsonParam(x)}::text::jsonb`) and means the same
 * to both; reads may come back parsed or not, so both are accepted.
 */
export const jsonParam = (value: unknown): string => JSON.stringify(value);
const fromJson = <T>(value: unknown): T => (typeof value === "string" ? (JSON.parse(value) as T) : (value as T));

/** A unique index refused the write: two changes raced (two intentions of one user, a pair matched twice). */
export const isUniqueViolation = (cause: unknown): boolean =>
  typeof cause === "object" && cause !== null && (cause as { code?: unknown }).code === "23505";

export interface IntentionRow {
  id: string;
  user_id: string;
  text: string | null;
  chips: unknown;
  embedding: number[] | null;
  created_at: Date | string;
}

export const INTENTION_COLUMNS = "i.id, i.user_id, i.text, i.chips, i.embedding, i.created_at";

export const toIntention = (row: IntentionRow): Intention => ({
  id: row.id,
  userId: row.user_id,
  text: row.text ?? undefined,
  chips: fromJson<Chips>(row.chips),
  embedding: row.embedding ?? undefined,
  createdAt: toDate(row.created_at),
});

export interface EntryRow extends IntentionRow {
  tier: number;
  joined_at: Date | string;
}

/** Pool entries joined with their intentions: `p` is pool_entries, `i` intentions. */
export const ENTRY_COLUMNS = `${INTENTION_COLUMNS}, p.tier, p.joined_at`;

export const toEntry = (row: EntryRow): PoolEntry => {
  const intention = toIntention(row);
  return {
    id: intention.id,
    userId: intention.userId,
    chips: intention.chips,
    embedding: intention.embedding,
    joinedAt: toDate(row.joined_at),
    tier: row.tier as Tier,
  };
};

export interface MatchRow {
  id: string;
  user_a: string;
  user_b: string;
  intention_a: string;
  intention_b: string;
  score: number;
  tier: number;
  matched_on: string[];
  relaxed: string[];
  status: string;
  accepted_a: boolean;
  accepted_b: boolean;
  created_at: Date | string;
  expires_at: Date | string;
}

export const MATCH_COLUMNS =
  "m.id, m.user_a, m.user_b, m.intention_a, m.intention_b, m.score, m.tier, m.matched_on, m.relaxed, m.status, " +
  "m.accepted_a, m.accepted_b, m.created_at, m.expires_at";

export const toMatch = (row: MatchRow): Match => ({
  id: row.id,
  userA: row.user_a,
  userB: row.user_b,
  intentionA: row.intention_a,
  intentionB: row.intention_b,
  score: row.score,
  tier: row.tier as Tier,
  matchedOn: row.matched_on,
  relaxed: row.relaxed,
  status: row.status as MatchStatus,
  acceptedA: row.accepted_a,
  acceptedB: row.accepted_b,
  createdAt: toDate(row.created_at),
  expiresAt: toDate(row.expires_at),
});

/** An embedding as a Postgres array literal: postgres.js cannot infer `float8[]` from a JS array of numbers. */
export const floatArray = (values: readonly number[] | undefined): string | null =>
  values === undefined ? null : `{${values.map((v) => String(v)).join(",")}}`;
