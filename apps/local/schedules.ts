import type { ScheduledEvent } from "../http/events.ts";
import type { ScheduleTrigger } from "../manifest.ts";
import type { RuntimeClock } from "./clock.ts";
import { errorText, type LocalFunction, type Outcome } from "./invoke.ts";
import { latestDueTick, nextTick, parseSchedule, type Schedule } from "./schedule-expression.ts";

/**
 * EventBridge Scheduler, locally: each schedule fires its function when the runtime clock reaches the next tick.
 * A real-time ticker checks twice a second and every clock move checks at once, so `POST /_local/clock` past a
 * tick fires it without waiting. A jump over many ticks fires once, for the latest one (no backlog), and a tick
 * that comes while the previous invocation still runs is skipped, as a function with reserved concurrency 1
 * would be throttled. A failed invocation is logged and not retried: the next tick comes soon.
 */
export interface ScheduleRunner {
  readonly names: readonly string[];
  /** Each schedule with its expression, its last fire (if any) and its next tick on the runtime clock. */
  list(): ScheduleState[];
  /** Fires the function's schedule now (its `scheduled_time` is the clock's now) and returns the outcome. */
  runNow(name: string): Promise<Outcome | undefined>;
  stop(): Promise<void>;
}

export interface ScheduleState {
  readonly function: string;
  readonly expression: string;
  readonly next_fire: string | null;
  readonly last_fire: {
    /** The tick it fired for (the event's `scheduled_time`). */
    readonly scheduled_time: string;
    readonly outcome: "running" | "ok" | "error";
    readonly error?: string;
  } | null;
}

export const scheduledEventOf = (name: string, at: Date): ScheduledEvent => ({
  source: "rendezvous.schedule",
  schedule: name,
  scheduled_time: at.toISOString(),
});

interface Entry {
  readonly fn: LocalFunction;
  readonly schedule: Schedule;
  readonly expression: string;
  anchor: Date;
  next: Date | undefined;
  running: Promise<unknown> | undefined;
  last: ScheduleState["last_fire"];
}

const TICK_MS = 500;

export const startSchedules = (
  scheduled: ReadonlyArray<{ fn: LocalFunction; trigger: ScheduleTrigger }>,
  clock: RuntimeClock,
): ScheduleRunner => {
  const start = clock.now();
  const entries: Entry[] = scheduled.map(({ fn, trigger }) => {
    const schedule = parseSchedule(trigger.expression);
    const next = nextTick(schedule, start, start);
    return { fn, schedule, expression: trigger.expression, anchor: start, next, running: undefined, last: null };
  });
  let lastCheck = start;

  const fire = (entry: Entry, at: Date): Promise<Outcome> => {
    const run = entry.fn.invoke("schedule", scheduledEventOf(entry.fn.spec.name, at));
    entry.running = run;
    const scheduled_time = at.toISOString();
    entry.last = { scheduled_time, outcome: "running" };
    const settle = (outcome: Outcome) => {
      if (entry.running === run) entry.running = undefined;
      entry.last = outcome.ok
        ? { scheduled_time, outcome: "ok" }
        : { scheduled_time, outcome: "error", error: errorText(outcome.error) };
    };
    void run.then(settle, (error: unknown) => settle({ ok: false, error }));
    return run;
  };

  const check = (): void => {
    const now = clock.now();
    for (const entry of entries) {
      if (now < lastCheck) {
        // The clock went back: start over from the new present, as a schedule created now would.
        entry.anchor = now;
        entry.next = nextTick(entry.schedule, now, now);
      }
      if (!entry.next || now < entry.next) continue;
      const due = latestDueTick(entry.schedule, entry.next, now, entry.anchor);
      entry.next = nextTick(entry.schedule, now, entry.anchor);
      if (!entry.running) void fire(entry, due);
    }
    lastCheck = now;
  };

  const timer = setInterval(check, TICK_MS);
  const unsubscribe = clock.onChange(check);
  return {
    names: entries.map((entry) => entry.fn.spec.name),
    list: () =>
      entries.map((entry) => ({
        function: entry.fn.spec.name,
        expression: entry.expression,
        next_fire: entry.next?.toISOString() ?? null,
        last_fire: entry.last,
      })),
    runNow: async (name) => {
      const entry = entries.find((candidate) => candidate.fn.spec.name === name);
      if (!entry) return undefined;
      if (entry.running) await entry.running.catch(() => undefined);
      return fire(entry, clock.now());
    },
    stop: async () => {
      clearInterval(timer);
      unsubscribe();
      await Promise.all(entries.map((entry) => entry.running?.catch(() => undefined)));
    },
  };
};
