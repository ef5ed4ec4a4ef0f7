import {
  addDays,
  formatDate,
  instantOf,
  isLeapYear,
  type LocalDate,
  type LocalTime,
  parseDate,
  wallClockAt,
} from "./time.ts";

/**
 * When a yearly event fires: its occurrence (the local calendar day it is celebrated in a given year), the UTC
 * instant of the send time on that day in the user's zone, and how late a missed one may still be sent.
 */

/** Feb 29 in a non-leap year is celebrated on Feb 28 (the default) or on Mar 1. */
export type LeapDayPolicy = "feb-28" | "mar-1";

/**
 * After downtime, a message whose send time has passed is still sent while it is within this window, and
 * recorded as `skipped` after it: until the end of the occurrence's local day, or for a fixed span (`PT6H`).
 */
export type LatePolicy =
  | { readonly kind: "same-local-day" }
  | { readonly kind: "window"; readonly seconds: number; readonly iso: string };

export interface SchedulePolicy {
  /** Local send time, default 09:00. */
  readonly sendTime: LocalTime;
  readonly latePolicy: LatePolicy;
  readonly leapDayPolicy: LeapDayPolicy;
}

export const DEFAULT_POLICY: SchedulePolicy = {
  sendTime: { hour: 9, minute: 0 },
  latePolicy: { kind: "same-local-day" },
  leapDayPolicy: "feb-28",
};

/** One yearly occurrence of an event: its local day and the UTC instant to send at. */
export interface Occurrence {
  /** `YYYY-MM-DD`, the local day it is celebrated (Feb 28 or Mar 1 for a Feb 29 date in a common year). */
  readonly occurrence: string;
  readonly sendAt: Date;
  /** Sent when the scheduler claims it before this instant (exclusive); recorded as skipped after. */
  readonly lateUntil: Date;
}

/** The day a yearly date falls on in `year`, applying the leap-day policy. */
export const celebratedOn = (date: LocalDate, year: number, policy: LeapDayPolicy): LocalDate => {
  if (date.month === 2 && date.day === 29 && !isLeapYear(year)) {
    return policy === "feb-28" ? { year, month: 2, day: 28 } : { year, month: 3, day: 1 };
  }
  return { year, month: date.month, day: date.day };
};

/** The exclusive deadline for sending an occurrence late. */
export const lateDeadline = (day: LocalDate, sendAt: Date, timeZone: string, policy: LatePolicy): Date =>
  policy.kind === "window"
    ? new Date(sendAt.getTime() + policy.seconds * 1000 + 1)
    : instantOf(addDays(day, 1), { hour: 0, minute: 0 }, timeZone);

export const occurrenceIn = (eventDate: string, year: number, timeZone: string, policy: SchedulePolicy): Occurrence => {
  const day = celebratedOn(parseDate(eventDate), year, policy.leapDayPolicy);
  const sendAt = instantOf(day, policy.sendTime, timeZone);
  return { occurrence: formatDate(day), sendAt, lateUntil: lateDeadline(day, sendAt, timeZone, policy.latePolicy) };
};

export interface NextOccurrenceInput {
  /** The event's date `YYYY-MM-DD` (a birthday, a wedding day); only month and day matter. */
  readonly eventDate: string;
  readonly timeZone: string;
  readonly now: Date;
  /** No occurrence before this year: a year whose message was already sent is never sent again. */
  readonly fromYear?: number;
}

/**
 * The next occurrence still worth sending at `now`: the earliest one whose late window has not closed. It may
 * lie in the past (a user created at 10:00 on their birthday, a zone moved east after 09:00 there): the
 * scheduler then sends it at its next tick. The first occurrence is the year after the event's own date.
 */
export const nextOccurrence = (input: NextOccurrenceInput, policy: SchedulePolicy): Occurrence => {
  const eventYear = Number(input.eventDate.slice(0, 4));
  const localYear = wallClockAt(input.now.getTime(), input.timeZone).year;
  let year = Math.max(localYear - 1, input.fromYear ?? -Infinity, eventYear + 1);
  for (;;) {
    const candidate = occurrenceIn(input.eventDate, year, input.timeZone, policy);
    if (candidate.lateUntil.getTime() > input.now.getTime()) return candidate;
    year += 1;
  }
};

/** Whether a due occurrence claimed at `now` is still sent, or recorded as skipped. */
export const lateDecision = (now: Date, lateUntil: Date): "send" | "skip" =>
  now.getTime() < lateUntil.getTime() ? "send" : "skip";

const DURATION = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/**
 * `same-local-day` or an ISO-8601 duration in weeks, days, hours, minutes, seconds (`PT6H`, `P1DT12H`); years and
 * months are refused because their length varies. `undefined` when the value is neither.
 */
export const parseLatePolicy = (value: string): LatePolicy | undefined => {
  if (value === "same-local-day") return { kind: "same-local-day" };
  const match = DURATION.exec(value);
  if (!match || value === "P" || value.endsWith("T")) return undefined;
  const [weeks, days, hours, minutes, seconds] = match.slice(1).map((part) => Number(part ?? 0)) as number[];
  const total = ((((weeks ?? 0) * 7 + (days ?? 0)) * 24 + (hours ?? 0)) * 60 + (minutes ?? 0)) * 60 + (seconds ?? 0);
  return { kind: "window", seconds: total, iso: value };
};

const SEND_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** `HH:mm` (24-hour). */
export const parseSendTime = (value: string): LocalTime | undefined => {
  const match = SEND_TIME.exec(value);
  return match ? { hour: Number(match[1]), minute: Number(match[2]) } : undefined;
};
