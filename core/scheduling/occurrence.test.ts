import { describe, expect, it } from "vitest";
import {
  DEFAULT_POLICY,
  lateDecision,
  nextOccurrence,
  occurrenceIn,
  parseLatePolicy,
  parseSendTime,
  type SchedulePolicy,
} from "./occurrence.ts";
import { formatLocalDateTime, instantOf, isTimeZone, offsetMinutesAt, wallClockAt } from "./time.ts";

const at = (sendTime: string, extra: Partial<SchedulePolicy> = {}): SchedulePolicy => ({
  ...DEFAULT_POLICY,
  sendTime: parseSendTime(sendTime) ?? DEFAULT_POLICY.sendTime,
  ...extra,
});
const sendAt = (date: string, zone: string, policy = DEFAULT_POLICY): string =>
  occurrenceIn(date, Number(date.slice(0, 4)), zone, policy).sendAt.toISOString();

describe("send instants across DST changes", () => {
  it.each([
    ["2026-03-07", "America/New_York", "2026-03-07T14:00:00.000Z"], // EST, the day before spring-forward
    ["2026-03-08", "America/New_York", "2026-03-08T13:00:00.000Z"], // EDT from 03:00 that day
    ["2026-10-31", "America/New_York", "2026-10-31T13:00:00.000Z"],
    ["2026-11-01", "America/New_York", "2026-11-01T14:00:00.000Z"], // EST again from 02:00
    ["2026-03-28", "Europe/London", "2026-03-28T09:00:00.000Z"], // GMT
    ["2026-03-29", "Europe/London", "2026-03-29T08:00:00.000Z"], // BST from 01:00 UTC
    ["2026-10-24", "Europe/London", "2026-10-24T08:00:00.000Z"],
    ["2026-10-25", "Europe/London", "2026-10-25T09:00:00.000Z"], // GMT again
  ])("09:00 on %s in %s is %s", (date, zone, expected) => expect(sendAt(date, zone)).toBe(expected));

  it("moves a send time inside the spring-forward gap to the first valid instant", () => {
    expect(sendAt("2026-03-08", "America/New_York", at("02:30"))).toBe("2026-03-08T07:00:00.000Z"); // 03:00 EDT
    expect(sendAt("2026-03-29", "Europe/London", at("01:30"))).toBe("2026-03-29T01:00:00.000Z"); // 02:00 BST
  });

  it("fires once, at the first of the two, for a send time inside the fall-back overlap", () => {
    expect(sendAt("2026-11-01", "America/New_York", at("01:30"))).toBe("2026-11-01T05:30:00.000Z"); // 01:30 EDT
    expect(sendAt("2026-10-25", "Europe/London", at("01:30"))).toBe("2026-10-25T00:30:00.000Z"); // 01:30 BST
  });

  it("keeps Kiritimati (+14) and Pago Pago (-11) apart though both fire on the same UTC day", () => {
    const kiritimati = occurrenceIn("1990-06-16", 2026, "Pacific/Kiritimati", DEFAULT_POLICY);
    const pagoPago = occurrenceIn("1990-06-15", 2026, "Pacific/Pago_Pago", DEFAULT_POLICY);
    expect(kiritimati.sendAt.toISOString()).toBe("2026-06-15T19:00:00.000Z");
    expect(pagoPago.sendAt.toISOString()).toBe("2026-06-15T20:00:00.000Z");
    expect([kiritimati.occurrence, pagoPago.occurrence]).toEqual(["2026-06-16", "2026-06-15"]);
  });
});

describe("Feb 29", () => {
  it.each([
    ["feb-28", 2027, "2027-02-28"],
    ["mar-1", 2027, "2027-03-01"],
    ["feb-28", 2028, "2028-02-29"],
    ["mar-1", 2028, "2028-02-29"],
    ["feb-28", 2100, "2100-02-28"],
  ] as const)("under %s is celebrated in %i on %s", (leapDayPolicy, year, expected) => {
    const occurrence = occurrenceIn("2000-02-29", year, "Europe/London", { ...DEFAULT_POLICY, leapDayPolicy });
    expect(occurrence.occurrence).toBe(expected);
  });
});

describe("nextOccurrence and the late policy", () => {
  const input = { eventDate: "1990-03-07", timeZone: "America/New_York" };
  it("is this year's before the send time, and still this year's later the same local day", () => {
    expect(nextOccurrence({ ...input, now: new Date("2026-03-07T13:59:00Z") }, DEFAULT_POLICY).occurrence).toBe(
      "2026-03-07",
    );
    const late = nextOccurrence({ ...input, now: new Date("2026-03-08T04:59:00Z") }, DEFAULT_POLICY); // 23:59 EST
    expect(late.occurrence).toBe("2026-03-07");
    expect(late.lateUntil.toISOString()).toBe("2026-03-08T05:00:00.000Z");
  });

  it("is next year's once the local day is over", () => {
    expect(nextOccurrence({ ...input, now: new Date("2026-03-08T05:00:00Z") }, DEFAULT_POLICY).occurrence).toBe(
      "2027-03-07",
    );
  });

  it("honours a fixed window instead of the local day", () => {
    const policy = { ...DEFAULT_POLICY, latePolicy: parseLatePolicy("PT6H") ?? DEFAULT_POLICY.latePolicy };
    const occurrence = occurrenceIn(input.eventDate, 2026, input.timeZone, policy);
    expect(lateDecision(new Date("2026-03-07T20:00:00Z"), occurrence.lateUntil)).toBe("send");
    expect(lateDecision(new Date("2026-03-07T20:00:01Z"), occurrence.lateUntil)).toBe("skip");
  });

  it("never goes before the year after the last one sent, nor the event's own year", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    expect(nextOccurrence({ ...input, now, fromYear: 2027 }, DEFAULT_POLICY).occurrence).toBe("2027-03-07");
    expect(nextOccurrence({ ...input, eventDate: "2026-01-01", now }, DEFAULT_POLICY).occurrence).toBe("2027-01-01");
  });
});

describe("settings", () => {
  it.each([
    ["same-local-day", { kind: "same-local-day" }],
    ["PT6H", { kind: "window", seconds: 21_600, iso: "PT6H" }],
    ["P1DT30M", { kind: "window", seconds: 88_200, iso: "P1DT30M" }],
    ["P1Y", undefined],
    ["PT", undefined],
    ["6h", undefined],
  ])("late policy %s", (value, expected) => expect(parseLatePolicy(value)).toEqual(expected));

  it.each([
    ["09:00", { hour: 9, minute: 0 }],
    ["23:59", { hour: 23, minute: 59 }],
    ["24:00", undefined],
    ["9:00", undefined],
  ])("send time %s", (value, expected) => expect(parseSendTime(value)).toEqual(expected));

  it.each([
    ["America/New_York", true],
    ["UTC", true],
    ["Mars/Olympus", false],
    ["+05:00", false],
    ["", false],
  ])("time zone %s is %s", (zone, expected) => expect(isTimeZone(zone)).toBe(expected));
});

/** Seeded so a failure reproduces. */
const random = (seed: number) => () => {
  seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
  return seed / 2 ** 31;
};
const ZONES = [
  "America/New_York",
  "Europe/London",
  "Australia/Lord_Howe",
  "Asia/Kolkata",
  "America/Santiago",
  "Pacific/Chatham",
  "Asia/Tehran",
  "UTC",
];

describe("properties", () => {
  it("every wall time maps to an instant showing that wall time, or to the transition that skipped it", () => {
    const next = random(42);
    for (let i = 0; i < 2000; i++) {
      const zone = ZONES[Math.floor(next() * ZONES.length)] ?? "UTC";
      const date = {
        year: 2020 + Math.floor(next() * 10),
        month: 1 + Math.floor(next() * 12),
        day: 1 + Math.floor(next() * 28),
      };
      const time = { hour: Math.floor(next() * 24), minute: Math.floor(next() * 4) * 15 };
      const instant = instantOf(date, time, zone).getTime();
      const shown = formatLocalDateTime(wallClockAt(instant, zone));
      const wanted = formatLocalDateTime({ ...date, ...time });
      if (shown === wanted) {
        // In an overlap it is the first of the two: a minute-of-offset earlier would not show the same time.
        const earlier =
          instant - (offsetMinutesAt(instant - 3 * 3_600_000, zone) - offsetMinutesAt(instant, zone)) * 60_000;
        expect(earlier >= instant || formatLocalDateTime(wallClockAt(earlier, zone)) !== wanted).toBe(true);
      } else {
        expect(offsetMinutesAt(instant - 60_000, zone)).not.toBe(offsetMinutesAt(instant, zone));
        expect(formatLocalDateTime(wallClockAt(instant - 60_000, zone)) < wanted).toBe(true);
        expect(shown > wanted).toBe(true);
      }
    }
  });

  it("each next occurrence is still sendable at now, and the one before it is not", () => {
    const next = random(7);
    for (let i = 0; i < 1000; i++) {
      const zone = ZONES[Math.floor(next() * ZONES.length)] ?? "UTC";
      const eventDate = `19${50 + Math.floor(next() * 50)}-${String(1 + Math.floor(next() * 12)).padStart(2, "0")}-${String(1 + Math.floor(next() * 28)).padStart(2, "0")}`;
      const now = new Date(Date.UTC(2026, 0, 1) + Math.floor(next() * 3 * 365 * 86_400_000));
      const found = nextOccurrence({ eventDate, timeZone: zone, now }, DEFAULT_POLICY);
      expect(found.lateUntil.getTime()).toBeGreaterThan(now.getTime());
      const before = occurrenceIn(eventDate, Number(found.occurrence.slice(0, 4)) - 1, zone, DEFAULT_POLICY);
      expect(before.lateUntil.getTime()).toBeLessThanOrEqual(now.getTime());
      expect(found.occurrence.slice(5)).toBe(eventDate.slice(5));
    }
  });
});
