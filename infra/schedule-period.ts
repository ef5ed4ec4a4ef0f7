/**
 * How long a schedule can go between two runs, for the alarm that says the matcher has not run in two periods.
 * `rate(n unit)` is exact. `cron(...)` is read as a weekly pattern (minutes, hours and days of the week; the day of
 * the month, the month and the year must be `*` or `?`), and its longest gap between runs is the period, so a
 * cron that skips the weekend is not reported missing on Saturday. Anything else answers why it cannot.
 */

const MINUTES_PER_WEEK = 7 * 24 * 60;
const UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86400 };
const DAY_NAMES = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/** CloudWatch: period × evaluationPeriods at most 7 days (1 day when the period is under an hour). */
export const ALARM_WINDOW_SECONDS = 7 * 86400;
export const SHORT_PERIOD_WINDOW_SECONDS = 86400;

/** The values a cron field takes in `min..max`, or undefined for what this reader does not handle (L, W, #). */
const cronField = (field: string, min: number, max: number, names: readonly string[] = []): Set<number> | undefined => {
  const values = new Set<number>();
  const number = (text: string) => {
    const named = names.indexOf(text.toUpperCase());
    return named >= 0 ? named + min : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  };
  for (const part of field.split(",")) {
    const match = /^(\*|\?|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!match) return undefined;
    const [, range = "", step = "1"] = match;
    const [from, to] =
      range === "*" || range === "?"
        ? [min, max]
        : range.includes("-")
          ? range.split("-").map(number)
          : [number(range), match[2] === undefined ? number(range) : max];
    if (!Number.isInteger(from) || !Number.isInteger(to) || Number(from) < min || Number(to) > max) return undefined;
    if (Number(step) < 1) return undefined;
    for (let v = Number(from); v <= Number(to); v += Number(step)) values.add(v);
  }
  return values;
};

/** The longest time between two runs of `expression`, in seconds, or the reason it cannot tell. */
export const schedulePeriodSeconds = (expression: string): { seconds: number } | { reason: string } => {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) return { seconds: Number(rate[1]) * (UNIT_SECONDS[rate[2] ?? "minute"] ?? 60) };
  const fields = /^cron\((.+)\)$/.exec(expression)?.[1]?.trim().split(/\s+/);
  if (fields?.length !== 6) return { reason: `"${expression}" is neither rate(...) nor cron(6 fields)` };
  const [minute = "", hour = "", dayOfMonth = "", month = "", dayOfWeek = "", year = ""] = fields;
  if (![dayOfMonth, month, year].every((f) => f === "*" || f === "?")) {
    return { reason: `"${expression}" runs on days of the month, months or years: no fixed longest gap within a week` };
  }
  const minutes = cronField(minute, 0, 59);
  const hours = cronField(hour, 0, 23);
  // AWS numbers the days of the week 1 (SUN) to 7 (SAT).
  const days = cronField(dayOfWeek, 1, 7, DAY_NAMES);
  if (!minutes || !hours || !days) return { reason: `"${expression}" uses cron syntax this reader does not handle` };
  const runs = [...days]
    .flatMap((d) => [...hours].flatMap((h) => [...minutes].map((m) => (d - 1) * 1440 + h * 60 + m)))
    .sort((a, b) => a - b);
  const first = runs[0];
  if (first === undefined) return { reason: `"${expression}" never runs` };
  const gaps = runs.map((t, i) => (runs[i + 1] ?? first + MINUTES_PER_WEEK) - t);
  return { seconds: Math.max(...gaps) * 60 };
};

/**
 * The period of a "missed two runs" alarm (evaluationPeriods 2) on a schedule: its longest gap, if CloudWatch
 * can evaluate two of them (its evaluation window), else the reason it cannot.
 */
export const missedRunsAlarmPeriod = (expression: string): { seconds: number } | { reason: string } => {
  const period = schedulePeriodSeconds(expression);
  if ("reason" in period) return period;
  const window = period.seconds < 3600 ? SHORT_PERIOD_WINDOW_SECONDS : ALARM_WINDOW_SECONDS;
  return 2 * period.seconds <= window
    ? period
    : {
        reason: `two periods of "${expression}" (${(2 * period.seconds) / 3600} h) exceed CloudWatch's ${window / 3600} h`,
      };
};
