import { existsSync, readFileSync, writeFileSync } from "node:fs";

/**
 * The one clock of the local runtime: wall time plus an offset, so time flows as usual until someone moves it
 * (`POST /_local/clock`). Every function (through `setClockSource`), every schedule and the webhook receiver read
 * it. The offset is kept in the data dir, so a restart continues in the simulated present instead of jumping back.
 */
export class RuntimeClock {
  #offsetMs = 0;
  readonly #listeners = new Set<() => void>();

  constructor(private readonly file?: string) {
    if (file && existsSync(file)) {
      const saved = Number(JSON.parse(readFileSync(file, "utf8")).offsetMs);
      if (Number.isFinite(saved)) this.#offsetMs = saved;
    }
  }

  now(): Date {
    return new Date(Date.now() + this.#offsetMs);
  }

  /** Milliseconds the clock is ahead of wall time (negative when behind). */
  get offsetMs(): number {
    return this.#offsetMs;
  }

  set(instant: Date): void {
    if (Number.isNaN(instant.getTime())) throw new RangeError("not an instant");
    this.#move(instant.getTime() - Date.now());
  }

  advance(milliseconds: number): void {
    this.#move(this.#offsetMs + milliseconds);
  }

  /** Back to wall time. */
  reset(): void {
    this.#move(0);
  }

  /** Called after every move (schedules recompute what is due). */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #move(offsetMs: number): void {
    this.#offsetMs = offsetMs;
    if (this.file) writeFileSync(this.file, JSON.stringify({ offsetMs }));
    for (const listener of this.#listeners) listener();
  }
}

const DURATION = /^(-)?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

/**
 * An ISO-8601 duration in weeks, days, hours, minutes and seconds (`PT25H`, `P1DT2H`, `-PT30M`) as milliseconds;
 * undefined when malformed. Months and years have no fixed length, so they are refused.
 */
export const parseIsoDuration = (text: string): number | undefined => {
  const match = DURATION.exec(text);
  if (!match || text === "P" || text.endsWith("T") || /^-?P$/.test(text)) return undefined;
  const [, minus, weeks, days, hours, minutes, seconds] = match;
  if ([weeks, days, hours, minutes, seconds].every((part) => part === undefined)) return undefined;
  const ms =
    Number(weeks ?? 0) * 604_800_000 +
    Number(days ?? 0) * 86_400_000 +
    Number(hours ?? 0) * 3_600_000 +
    Number(minutes ?? 0) * 60_000 +
    Math.round(Number(seconds ?? 0) * 1000);
  return minus ? -ms : ms;
};
