/**
 * The usage assumptions behind the estimate, stated once: how often a schedule fires, how often Lambda polls an
 * idle queue, and how long each function typically runs (for its cost per million invocations).
 */
import { HOURS_PER_MONTH } from "./prices.ts";

const MINUTES_PER_MONTH = HOURS_PER_MONTH * 60;
const UNIT_MINUTES: Record<string, number> = { minute: 1, hour: 60, day: 24 * 60 };

/** How many values a cron field takes: `*` its whole range, a list its members, a step its share, else one. */
const cronValues = (field: string, range: number): number => {
  if (field === "*" || field === "?") return range;
  const step = /^\*\/(\d+)$/.exec(field);
  if (step) return Math.ceil(range / Number(step[1]));
  return field.split(",").length;
};

/** Runs per month of an EventBridge Scheduler expression: rate(n unit), or cron(min hour day month weekday year). */
export const invocationsPerMonth = (expression: string): number => {
  const rate = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) return MINUTES_PER_MONTH / (Number(rate[1]) * (UNIT_MINUTES[rate[2] ?? "minute"] ?? 1));
  const cron = /^cron\((.+)\)$/.exec(expression)?.[1]?.trim().split(/\s+/);
  if (cron && cron.length === 6) {
    const [minutes = "0", hours = "0", dayOfMonth = "*", , dayOfWeek = "?"] = cron;
    const days = dayOfMonth === "?" ? (cronValues(dayOfWeek, 7) * 30.42) / 7 : cronValues(dayOfMonth, 30.42) * 1;
    return cronValues(minutes, 60) * cronValues(hours, 24) * days;
  }
  throw new Error(`cannot count the runs of schedule expression "${expression}"`);
};

/**
 * SQS requests an event source mapping makes on an empty queue: Lambda keeps 5 pollers long-polling (20 s each),
 * so 15 ReceiveMessage calls a minute.
 */
export const SQS_IDLE_POLLS_PER_MONTH = 5 * 3 * MINUTES_PER_MONTH;

/**
 * Typical warm duration per function, in ms: an API request or a store call is a few queries; the scheduler's
 * tick claims and enqueues; the dispatcher posts a batch of webhooks (each up to 5 s, usually ~0.3 s); the matcher's
 * batch is BENCHMARKS.md's 100k pool; the migrator checks migrations on each deploy.
 */
const TYPICAL_MS: Readonly<Record<string, number>> = {
  sessions: 50,
  scheduling: 100,
  matching: 100,
  "delivery-store": 30,
  scheduler: 300,
  dispatcher: 600,
  matcher: 20_000,
  migrator: 3_000,
};
const DEFAULT_MS = 100;

export const typicalDurationMs = (name: string): number => TYPICAL_MS[name] ?? DEFAULT_MS;
