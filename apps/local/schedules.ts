import type { ScheduledEvent } from "../http/events.ts";
import type { ScheduleTrigger } from "../manifest.ts";
import type { RuntimeClock } from "./clock.ts";
import type { LocalFunction, Outcome } from "./invoke.ts";
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
  /** Fires the function's schedule now (its `scheduled_time` is the clock's now) and returns the outcome. */
  runNow(name: string): Promise<Outcome | undefined>;
  stop(): Promise<void>;
}

export const scheduledEventOf = (name: string, at: Date): ScheduledEvent => ({
  source: "rendezvous.schedule",
  schedule: name,
  scheduled_time: at.toISOString(),
});

interface Entry {
  readonly fn: LocalFunction;
  readonly schedule: Schedule;
  anchor: Date;
  next: Date | undefined;
  running: Promise<unknown> | undefined;
}

const TICK_MS = 500;

export const startSchedules = (
  scheduled: ReadonlyArray<{ fn: LocalFunction; trigger: ScheduleTrigger }>,
  clock: RuntimeClock,
): ScheduleRunner => {
  const start = clock.now();
  const entries: Entry[] = scheduled.map(({ fn, trigger }) => {
    const schedule = parseSchedule(trigger.expression);
    return { fn, schedule, anchor: start, next: nextTick(schedule, start, start), running: undefined };
  });
  let lastCheck = start;

  const fire = (entry: Entry, at: Date): Promise<Outcome> => {
    const run = entry.fn.invoke("schedule", scheduledEventOf(entry.fn.spec.name, at));
    entry.running = run;
    void run.finally(() => {
      if (entry.running === run) entry.running = undefined;
    });
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
