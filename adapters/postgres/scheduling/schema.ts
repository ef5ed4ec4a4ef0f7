import { sql } from "drizzle-orm";
import { check, date, index, integer, pgTable, text, timestamp, unique, uuid } from "drizzle-orm/pg-core";

/**
 * The scheduling context's tables. drizzle-kit reads this file (drizzle.config.ts beside it) and writes the SQL
 * migrations committed in ./migrations; adapters/postgres/migrate.ts applies them.
 *
 * Users and events are soft-deleted (`deleted_at`) so their delivery history stays readable; deliveries hold
 * one row per (event, occurrence), which makes a duplicate message impossible by construction.
 */

const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });

export const users = pgTable("users", {
  id: uuid("id").primaryKey(),
  firstName: text("first_name").notNull(),
  lastName: text("last_name").notNull(),
  email: text("email"),
  birthday: date("birthday", { mode: "string" }).notNull(),
  timeZone: text("time_zone").notNull(),
  createdAt: instant("created_at").notNull(),
  updatedAt: instant("updated_at").notNull(),
  deletedAt: instant("deleted_at"),
});

export const yearlyEvents = pgTable(
  "yearly_events",
  {
    id: uuid("id").primaryKey(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    // Not a check constraint: a new kind of event is a code change, not a migration.
    type: text("type").notNull(),
    date: date("date", { mode: "string" }).notNull(),
    message: text("message"),
    createdAt: instant("created_at").notNull(),
    deletedAt: instant("deleted_at"),
  },
  (table) => [index("yearly_events_user_idx").on(table.userId)],
);

export const DELIVERY_STATUS_SQL = "('pending','claimed','queued','delivered','failed','skipped','cancelled')";

export const deliveries = pgTable(
  "deliveries",
  {
    id: uuid("id").primaryKey().default(sql`gen_random_uuid()`),
    eventId: uuid("event_id")
      .notNull()
      .references(() => yearlyEvents.id),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id),
    occurrence: date("occurrence", { mode: "string" }).notNull(),
    sendAt: instant("send_at").notNull(),
    status: text("status").notNull().default("pending"),
    /** The scheduler holding a claim, and until when; another may take the row over after that. */
    leaseOwner: text("lease_owner"),
    leaseExpiresAt: instant("lease_expires_at"),
    attempts: integer("attempts").notNull().default(0),
    /** Times the scheduler's recovery found the delivery's message lost and enqueued it again (decision 0003). */
    requeues: integer("requeues").notNull().default(0),
    lastError: text("last_error"),
    responseStatus: integer("response_status"),
    createdAt: instant("created_at").notNull().defaultNow(),
    updatedAt: instant("updated_at").notNull().defaultNow(),
  },
  (table) => [
    unique("deliveries_event_occurrence_key").on(table.eventId, table.occurrence),
    // The due query reads only these small partial indexes, however many delivered rows pile up.
    index("deliveries_due_idx").on(table.sendAt).where(sql`status = 'pending'`),
    index("deliveries_lease_idx").on(table.leaseExpiresAt).where(sql`status = 'claimed'`),
    index("deliveries_user_idx").on(table.userId),
    index("deliveries_status_idx").on(table.status, table.updatedAt),
    check("deliveries_status_check", sql.raw(`status in ${DELIVERY_STATUS_SQL}`)),
    check("deliveries_claim_has_lease", sql`status <> 'claimed' or lease_expires_at is not null`),
  ],
);
