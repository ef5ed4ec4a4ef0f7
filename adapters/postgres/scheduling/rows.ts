import * as Effect from "effect/Effect";
import type { ClaimedDelivery } from "../../../core/scheduling/DeliveryStore.ts";
import type { Delivery, DeliveryStatus, EventType, User, YearlyEvent } from "../../../core/scheduling/model.ts";
import { DependencyUnavailable } from "../../../core/shared/errors.ts";

/** Row shapes and the one error boundary shared by the scheduling repositories (postgres.js, raw SQL). */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Ids arrive from URLs: anything that is not a UUID cannot exist, and must not reach a `uuid` column. */
export const isUuid = (value: string): boolean => UUID.test(value);

/** Every driver failure becomes DependencyUnavailable; `cause` is kept for the logs. */
export const query = <A>(run: () => Promise<A>): Effect.Effect<A, DependencyUnavailable> =>
  Effect.tryPromise({ try: run, catch: (cause) => new DependencyUnavailable({ dependency: "database", cause }) });

/**
 * drizzle's postgres.js driver turns off postgres.js's own date parsing (timestamps come back as strings), so
 * every instant read is converted here, and every instant written is sent as an ISO string.
 */
export const toDate = (value: Date | string): Date => new Date(value);

export interface UserRow {
  id: string;
  first_name: string;
  last_name: string;
  email: string | null;
  birthday: string;
  time_zone: string;
  created_at: Date | string;
  updated_at: Date | string;
}

export const USER_COLUMNS = "id, first_name, last_name, email, birthday::text, time_zone, created_at, updated_at";

export const toUser = (row: UserRow): User => ({
  id: row.id,
  firstName: row.first_name,
  lastName: row.last_name,
  email: row.email,
  birthday: row.birthday,
  timeZone: row.time_zone,
  createdAt: toDate(row.created_at),
  updatedAt: toDate(row.updated_at),
});

export interface EventRow {
  id: string;
  user_id: string;
  type: string;
  date: string;
  message: string | null;
  created_at: Date | string;
}

export const EVENT_COLUMNS = "id, user_id, type, date::text, message, created_at";

export const toEvent = (row: EventRow): YearlyEvent => ({
  id: row.id,
  userId: row.user_id,
  type: row.type as EventType,
  date: row.date,
  message: row.message,
  createdAt: toDate(row.created_at),
});

export interface DeliveryRow {
  id: string;
  event_id: string;
  user_id: string;
  occurrence: string;
  send_at: Date | string;
  status: string;
  attempts: number;
  last_error: string | null;
  updated_at: Date | string;
}

export const DELIVERY_COLUMNS =
  "id, event_id, user_id, occurrence::text, send_at, status, attempts, last_error, updated_at";

export const toDelivery = (row: DeliveryRow): Delivery => ({
  id: row.id,
  eventId: row.event_id,
  userId: row.user_id,
  occurrence: row.occurrence,
  sendAt: toDate(row.send_at),
  status: row.status as DeliveryStatus,
  attempts: row.attempts,
  lastError: row.last_error,
  updatedAt: toDate(row.updated_at),
});

/** A delivery row claimed under a lease, joined with its event and user. */
export interface ClaimRow {
  id: string;
  event_id: string;
  user_id: string;
  occurrence: string;
  send_at: Date | string;
  event_date: string;
  time_zone: string;
}

/** A claimed row as the port hands it out. */
export const claimedOf = (row: ClaimRow): ClaimedDelivery => ({
  id: row.id,
  eventId: row.event_id,
  userId: row.user_id,
  occurrence: row.occurrence,
  sendAt: toDate(row.send_at),
  eventDate: row.event_date,
  timeZone: row.time_zone,
});
