import { describe, expect, it } from "vitest";
import { latestDueTick, nextTick, parseSchedule } from "./schedule-expression.ts";

const at = (iso: string) => new Date(iso);
const anchor = at("2026-01-01T00:00:00Z");

describe("rate expressions", () => {
  it("tick every period from the anchor", () => {
    const every3h = parseSchedule("rate(3 hours)");
    expect(nextTick(every3h, anchor, anchor)).toEqual(at("2026-01-01T03:00:00Z"));
    expect(nextTick(every3h, at("2026-01-01T04:10:00Z"), anchor)).toEqual(at("2026-01-01T06:00:00Z"));
    expect(nextTick(parseSchedule("rate(1 minute)"), at("2026-01-01T00:00:30Z"), anchor)).toEqual(
      at("2026-01-01T00:01:00Z"),
    );
  });

  it("a jump over many ticks lands on the latest one", () => {
    const minute = parseSchedule("rate(1 minute)");
    const now = at("2027-01-01T10:30:45Z");
    expect(latestDueTick(minute, at("2026-01-01T00:01:00Z"), now, anchor)).toEqual(at("2027-01-01T10:30:00Z"));
  });
});

describe("cron expressions (UTC, EventBridge fields)", () => {
  it("fires daily at a fixed time", () => {
    const nine = parseSchedule("cron(0 9 * * ? *)");
    expect(nextTick(nine, at("2026-03-01T08:59:59Z"), anchor)).toEqual(at("2026-03-01T09:00:00Z"));
    expect(nextTick(nine, at("2026-03-01T09:00:00Z"), anchor)).toEqual(at("2026-03-02T09:00:00Z"));
  });

  it("supports steps, ranges, lists and day names (1 = Sunday)", () => {
    const weekdays = parseSchedule("cron(0/15 8-9 ? * MON-FRI *)");
    // 2026-03-07 is a Saturday: the next tick is Monday 08:00.
    expect(nextTick(weekdays, at("2026-03-07T12:00:00Z"), anchor)).toEqual(at("2026-03-09T08:00:00Z"));
    expect(nextTick(weekdays, at("2026-03-09T08:01:00Z"), anchor)).toEqual(at("2026-03-09T08:15:00Z"));
    const sundays = parseSchedule("cron(30 6 ? * 1 *)");
    expect(nextTick(sundays, at("2026-03-09T00:00:00Z"), anchor)).toEqual(at("2026-03-15T06:30:00Z"));
  });

  it("honours day of month, month names and years", () => {
    const yearly = parseSchedule("cron(0 0 29 FEB ? 2028)");
    expect(nextTick(yearly, anchor, anchor)).toEqual(at("2028-02-29T00:00:00Z"));
    expect(nextTick(yearly, at("2028-03-01T00:00:00Z"), anchor)).toBeUndefined();
  });

  it("refuses what it cannot read, naming the part", () => {
    expect(() => parseSchedule("cron(0 9 * *)")).toThrow(/six fields/);
    expect(() => parseSchedule("cron(0 25 * * ? *)")).toThrow(/hours/);
    expect(() => parseSchedule("cron(0 9 L * ? *)")).toThrow(/not supported/);
    expect(() => parseSchedule("rate(0 minutes)")).toThrow(/at least 1/);
    expect(() => parseSchedule("every day")).toThrow(/rate\(n unit\)/);
  });
});
