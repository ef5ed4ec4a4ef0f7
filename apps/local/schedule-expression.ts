/**
 * EventBridge Scheduler expressions, evaluated in UTC as the stack's schedules are: `rate(n unit)` and
 * `cron(minutes hours day-of-month month day-of-week year)`. Only what the local runtime needs to know: when the
 * next tick after an instant falls. The `L`, `W` and `#` cron forms are refused (no function uses them).
 */
export type Schedule =
  | { readonly kind: "rate"; readonly periodMs: number }
  | { readonly kind: "cron"; readonly fields: CronFields };

interface CronFields {
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  /** undefined: `?` or `*` (any day). */
  readonly daysOfMonth: ReadonlySet<number> | undefined;
  readonly months: ReadonlySet<number>;
  /** 1 = Sunday ... 7 = Saturday, as EventBridge counts; undefined: any. */
  readonly daysOfWeek: ReadonlySet<number> | undefined;
  readonly years: ReadonlySet<number> | undefined;
}

const UNIT_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;
const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const DAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const parseValue = (text: string, names: readonly string[] | undefined, field: string): number => {
  const named = names?.indexOf(text.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) throw new Error(`${field}: "${text}" is not a number`);
  return Number(text);
};

/** One cron field as the set of values it allows; undefined for `*` and `?` (any value). */
const parseField = (
  text: string,
  field: string,
  [min, max]: readonly [number, number],
  names?: readonly string[],
): Set<number> | undefined => {
  if (text === "?" || text === "*") return undefined;
  if (/[LW#]/.test(text.replace(/[A-Z]{3}/gi, (word) => (names?.includes(word.toUpperCase()) ? "" : word)))) {
    throw new Error(`${field}: the L, W and # forms are not supported by the local runtime`);
  }
  const values = new Set<number>();
  for (const part of text.split(",")) {
    const [range = "", stepText] = part.split("/");
    const step = stepText === undefined ? 1 : parseValue(stepText, undefined, field);
    if (step < 1) throw new Error(`${field}: step must be at least 1`);
    const [fromText = "", toText] = range.split("-");
    const from = fromText === "*" ? min : parseValue(fromText, names, field);
    const to = toText !== undefined ? parseValue(toText, names, field) : stepText !== undefined ? max : from;
    if (from < min || to > max || from > to) throw new Error(`${field}: "${part}" is outside ${min}-${max}`);
    for (let value = from; value <= to; value += step) values.add(value);
  }
  return values;
};

const everyValue = (min: number, max: number): Set<number> =>
  new Set(Array.from({ length: max - min + 1 }, (_, i) => min + i));

/** Parses an expression, throwing an Error that names the part it cannot read. */
export const parseSchedule = (expression: string): Schedule => {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) {
    const count = Number(rate[1]);
    if (count < 1) throw new Error(`${expression}: the rate must be at least 1`);
    return { kind: "rate", periodMs: count * UNIT_MS[rate[2] as keyof typeof UNIT_MS] };
  }
  const cron = /^cron\((.+)\)$/.exec(expression);
  const parts = cron?.[1]?.trim().split(/\s+/) ?? [];
  if (parts.length !== 6) throw new Error(`${expression}: expected rate(n unit) or cron with six fields`);
  const [minutes = "", hours = "", dom = "", month = "", dow = "", year = ""] = parts;
  return {
    kind: "cron",
    fields: {
      minutes: parseField(minutes, "minutes", [0, 59]) ?? everyValue(0, 59),
      hours: parseField(hours, "hours", [0, 23]) ?? everyValue(0, 23),
      daysOfMonth: parseField(dom, "day-of-month", [1, 31]),
      months: parseField(month, "month", [1, 12], MONTHS) ?? everyValue(1, 12),
      daysOfWeek: parseField(dow, "day-of-week", [1, 7], DAYS),
      years: parseField(year, "year", [1970, 2199]),
    },
  };
};

const dayMatches = (fields: CronFields, day: Date): boolean =>
  (fields.years?.has(day.getUTCFullYear()) ?? true) &&
  fields.months.has(day.getUTCMonth() + 1) &&
  (fields.daysOfMonth?.has(day.getUTCDate()) ?? true) &&
  (fields.daysOfWeek?.has(day.getUTCDay() + 1) ?? true);

const MAX_DAYS_SEARCHED = 366 * 8;

const nextCron = (fields: CronFields, after: Date): Date | undefined => {
  const start = new Date(Math.floor(after.getTime() / 60_000) * 60_000 + 60_000);
  let day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate()));
  for (let i = 0; i < MAX_DAYS_SEARCHED; i++, day = new Date(day.getTime() + UNIT_MS.day)) {
    if (!dayMatches(fields, day)) continue;
    const sameDay = day.getTime() === Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate());
    for (const hour of [...fields.hours].sort((a, b) => a - b)) {
      for (const minute of [...fields.minutes].sort((a, b) => a - b)) {
        const candidate = new Date(day.getTime() + hour * UNIT_MS.hour + minute * UNIT_MS.minute);
        if (!sameDay || candidate >= start) return candidate;
      }
    }
  }
  return undefined;
};

/**
 * The first tick strictly after `after`. Rate schedules tick every period from `anchor` (when the schedule was
 * created, as in EventBridge Scheduler); cron schedules at matching UTC minutes. undefined: never again.
 */
export const nextTick = (schedule: Schedule, after: Date, anchor: Date): Date | undefined => {
  if (schedule.kind === "cron") return nextCron(schedule.fields, after);
  const periods = Math.floor((after.getTime() - anchor.getTime()) / schedule.periodMs) + 1;
  return new Date(anchor.getTime() + Math.max(1, periods) * schedule.periodMs);
};

/** The last tick at or before `now`, starting from a due tick `due` (clock jumps fire one event, not a backlog). */
export const latestDueTick = (schedule: Schedule, due: Date, now: Date, anchor: Date): Date => {
  if (schedule.kind === "rate") {
    const periods = Math.floor((now.getTime() - anchor.getTime()) / schedule.periodMs);
    return new Date(Math.max(due.getTime(), anchor.getTime() + periods * schedule.periodMs));
  }
  let latest = due;
  for (let i = 0; i < 100_000; i++) {
    const next = nextTick(schedule, latest, anchor);
    if (!next || next > now) break;
    latest = next;
  }
  return latest;
};
