import { describe, expect, it } from "vitest";
import { missedRunsAlarmPeriod, schedulePeriodSeconds } from "./schedule-period.ts";

const HOUR = 3600;
const DAY = 24 * HOUR;

describe("a schedule's longest gap between runs (the matcher-not-running alarm's period)", () => {
  it.each<[string, number]>([
    ["rate(1 minute)", 60],
    ["rate(3 hours)", 3 * HOUR],
    ["rate(2 days)", 2 * DAY],
    ["cron(0 9 * * ? *)", DAY],
    ["cron(0 */6 * * ? *)", 6 * HOUR],
    ["cron(0,30 8-17 * * ? *)", 14 * HOUR + 30 * 60],
    // Weekdays at 09:00: Friday 09:00 to Monday 09:00 is the longest gap, not a day.
    ["cron(0 9 ? * MON-FRI *)", 3 * DAY],
    ["cron(15 3 ? * 2,4 *)", 5 * DAY],
  ])("%s: %i s", (expression, seconds) => {
    expect(schedulePeriodSeconds(expression)).toEqual({ seconds });
  });

  it.each([
    ["cron(0 9 1 * ? *)", /days of the month/],
    ["cron(0 9 ? * 6#3 *)", /does not handle/],
    ["cron(0 9 ? * L *)", /does not handle/],
    ["cron(0 25 * * ? *)", /does not handle/],
    ["every 3 hours", /neither rate/],
  ])("cannot tell for %s, and says why", (expression, reason) => {
    const period = schedulePeriodSeconds(expression);
    expect(period).toEqual({ reason: expect.stringMatching(reason) });
  });

  it("gives a period only when CloudWatch can evaluate two of them: 7 days, 1 day under an hour", () => {
    expect(missedRunsAlarmPeriod("rate(3 hours)")).toEqual({ seconds: 3 * HOUR });
    expect(missedRunsAlarmPeriod("rate(3 days)")).toEqual({ seconds: 3 * DAY });
    expect(missedRunsAlarmPeriod("rate(4 days)")).toEqual({ reason: expect.stringMatching(/192 h\) exceed .*168 h/) });
    expect(missedRunsAlarmPeriod("cron(0 9 ? * MON *)")).toEqual({ reason: expect.stringMatching(/exceed/) });
    expect(missedRunsAlarmPeriod("rate(59 minutes)")).toEqual({ seconds: 59 * 60 });
  });
});
