/**
 * The scheduling context's vocabulary: users with a birthday and a time zone, their yearly events, and one
 * delivery per (event, occurrence).
 */

/**
 * Yearly event kinds and the message each sends unless the event carries its own template. A new kind is one
 * entry here: validation, scheduling and storage read this table.
 */
export const EVENT_KINDS = {
  birthday: { template: "Hey, {full_name} it's your birthday" },
  anniversary: { template: "Hey, {full_name} happy anniversary" },
} as const;
export type EventType = keyof typeof EVENT_KINDS;
export const EVENT_TYPES = Object.keys(EVENT_KINDS) as EventType[];

export interface User {
  readonly id: string;
  readonly firstName: string;
  readonly lastName: string;
  readonly email: string | null;
  /** `YYYY-MM-DD`. */
  readonly birthday: string;
  /** IANA zone, e.g. `America/New_York`. */
  readonly timeZone: string;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

export interface YearlyEvent {
  readonly id: string;
  readonly userId: string;
  readonly type: EventType;
  /** `YYYY-MM-DD`: the day it first happened; it recurs on the same month and day. */
  readonly date: string;
  /** Custom message template, or null for the kind's default. */
  readonly message: string | null;
  readonly createdAt: Date;
}

export const DELIVERY_STATUSES = [
  "pending",
  "claimed",
  "queued",
  "delivered",
  "failed",
  "skipped",
  "cancelled",
] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A delivery not yet handed to the queue: the one row a recompute may replace. */
export interface PendingDelivery {
  readonly eventId: string;
  readonly userId: string;
  /** `YYYY-MM-DD`, the local day; (eventId, occurrence) is unique. */
  readonly occurrence: string;
  readonly sendAt: Date;
}

export interface Delivery extends PendingDelivery {
  /** Also the webhook's `webhook-id`, the same on every retry. */
  readonly id: string;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastError: string | null;
  readonly updatedAt: Date;
}

/** Placeholders a template may use. */
export const TEMPLATE_FIELDS = ["full_name", "first_name", "last_name", "years"] as const;
const PLACEHOLDER = /\{([a-z_]+)\}/g;

/** The placeholders of a template that are not known, e.g. `["nickname"]`. */
export const unknownPlaceholders = (template: string): string[] =>
  [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1] ?? "")
    .filter((name) => !(TEMPLATE_FIELDS as readonly string[]).includes(name));

/** The message for one occurrence: `{years}` counts from the event's own date. */
export const renderMessage = (
  template: string,
  person: { readonly firstName: string; readonly lastName: string },
  eventDate: string,
  occurrence: string,
): string => {
  const values: Record<string, string> = {
    full_name: `${person.firstName} ${person.lastName}`.trim(),
    first_name: person.firstName,
    last_name: person.lastName,
    years: String(Number(occurrence.slice(0, 4)) - Number(eventDate.slice(0, 4))),
  };
  return template.replace(PLACEHOLDER, (whole, name: string) => values[name] ?? whole);
};

export const templateOf = (event: { readonly type: EventType; readonly message: string | null }): string =>
  event.message ?? EVENT_KINDS[event.type].template;

/** What the webhook receives (API.md). */
export interface WebhookPayload {
  readonly message: string;
  readonly user_id: string;
  readonly event_id: string;
  readonly event_type: EventType;
  readonly occurrence: string;
  readonly timestamp: string;
}
