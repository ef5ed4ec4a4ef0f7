import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  unique,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * The matching context's tables. drizzle-kit reads this file (drizzle.config.ts beside it) and writes the SQL
 * migrations committed in ./migrations; adapters/postgres/migrate.ts applies them.
 *
 * User ids are the sessions' `user_id` (an OIDC `sub`, free text), so they are `text`. The invariants of
 * issue 5 live in the database, not only in the planner: one active intention per user, one pool entry per
 * user, a pair matched at most once (ordered, `user_a < user_b`), a user in at most one active match.
 */

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const INTENTION_END_REASONS_SQL = "('replaced','withdrawn','expired')";
export const MATCH_STATUS_SQL = "('proposed','accepted','declined','expired')";

export const intentions = pgTable(
  "intentions",
  {
    id: uuid("id").primaryKey(),
    userId: text("user_id").notNull(),
    text: text("text"),
    /** The validated chips as the client sent them (core/matching/model.ts Chips). */
    chips: jsonb("chips").notNull(),
    embedding: doublePrecision("embedding").array(),
    createdAt: instant("created_at").notNull(),
    endedAt: instant("ended_at"),
    endReason: text("end_reason"),
  },
  (table) => [
    uniqueIndex("intentions_one_active_per_user").on(table.userId).where(sql`ended_at is null`),
    check("intentions_end_reason_check", sql.raw(`end_reason is null or end_reason in ${INTENTION_END_REASONS_SQL}`)),
    check("intentions_ended_has_reason", sql`(ended_at is null) = (end_reason is null)`),
  ],
);

/** Intentions waiting for a batch. A row leaves when matched, withdrawn, replaced or expired. */
export const poolEntries = pgTable(
  "pool_entries",
  {
    intentionId: uuid("intention_id")
      .primaryKey()
      .references(() => intentions.id),
    userId: text("user_id").notNull(),
    /** chips.where trimmed and lower-cased: what the candidates route filters on. */
    city: text("city").notNull(),
    tier: smallint("tier").notNull().default(0),
    joinedAt: instant("joined_at").notNull(),
  },
  (table) => [
    unique("pool_entries_user_key").on(table.userId),
    index("pool_entries_city_idx").on(table.city),
    check("pool_entries_tier_check", sql`tier between 0 and 2`),
  ],
);

/** One row per batch run, skipped ones included, with the plan's figures. */
export const matchingRuns = pgTable(
  "matching_runs",
  {
    id: uuid("id").primaryKey(),
    status: text("status").notNull(),
    startedAt: instant("started_at").notNull(),
    finishedAt: instant("finished_at").notNull().defaultNow(),
    poolSize: integer("pool_size").notNull().default(0),
    pairsCreated: integer("pairs_created").notNull().default(0),
    tier0: integer("pairs_tier_0").notNull().default(0),
    tier1: integer("pairs_tier_1").notNull().default(0),
    tier2: integer("pairs_tier_2").notNull().default(0),
    promoted: integer("promoted").notNull().default(0),
    expired: integer("expired").notNull().default(0),
    candidateEdges: integer("candidate_edges").notNull().default(0),
    totalScore: doublePrecision("total_score").notNull().default(0),
    greedyTotalScore: doublePrecision("greedy_total_score").notNull().default(0),
    /** Pairs the plan proposed but the store dropped: an entry left the pool while the batch was planning. */
    pairsDropped: integer("pairs_dropped").notNull().default(0),
  },
  (table) => [
    index("matching_runs_started_idx").on(table.startedAt),
    check("matching_runs_status_check", sql`status in ('completed','skipped_locked')`),
  ],
);

export const matches = pgTable(
  "matches",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    userA: text("user_a").notNull(),
    userB: text("user_b").notNull(),
    intentionA: uuid("intention_a")
      .notNull()
      .references(() => intentions.id),
    intentionB: uuid("intention_b")
      .notNull()
      .references(() => intentions.id),
    runId: uuid("run_id").references(() => matchingRuns.id),
    score: doublePrecision("score").notNull(),
    tier: smallint("tier").notNull(),
    matchedOn: text("matched_on").array().notNull(),
    relaxed: text("relaxed").array().notNull(),
    status: text("status").notNull().default("proposed"),
    acceptedA: boolean("accepted_a").notNull().default(false),
    acceptedB: boolean("accepted_b").notNull().default(false),
    createdAt: instant("created_at").notNull(),
    expiresAt: instant("expires_at").notNull(),
    updatedAt: instant("updated_at").notNull(),
  },
  (table) => [
    // A pair is matched at most once, ever: declined and expired rows keep blocking it.
    unique("matches_pair_key").on(table.userA, table.userB),
    check("matches_ordered_pair", sql`user_a < user_b`),
    check("matches_status_check", sql.raw(`status in ${MATCH_STATUS_SQL}`)),
    check("matches_tier_check", sql`tier between 0 and 2`),
    index("matches_user_b_idx").on(table.userB),
  ],
);

/**
 * Both users of every match, so that "never in two active matches" is a unique index (a user can be `user_a`
 * in one match and `user_b` in another, which no index on `matches` alone can see).
 */
export const matchMembers = pgTable(
  "match_members",
  {
    matchId: uuid("match_id")
      .notNull()
      .references(() => matches.id),
    userId: text("user_id").notNull(),
    active: boolean("active").notNull().default(true),
  },
  (table) => [
    primaryKey({ columns: [table.matchId, table.userId] }),
    uniqueIndex("match_members_one_active_per_user").on(table.userId).where(sql`active`),
  ],
);

export const matchDeclines = pgTable("match_declines", {
  matchId: uuid("match_id")
    .primaryKey()
    .references(() => matches.id),
  /** Who declined; the pair itself stays blocked by `matches_pair_key`. */
  userId: text("user_id").notNull(),
  declinedAt: instant("declined_at").notNull(),
});

export const matchFeedback = pgTable(
  "match_feedback",
  {
    matchId: uuid("match_id")
      .notNull()
      .references(() => matches.id),
    userId: text("user_id").notNull(),
    matchedOn: text("matched_on").array().notNull(),
    wasAccurate: boolean("was_accurate").notNull(),
    createdAt: instant("created_at").notNull(),
  },
  // One opinion per person per match; giving it again replaces it.
  (table) => [primaryKey({ columns: [table.matchId, table.userId] })],
);
