import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { Clock } from "../../core/shared/Clock.ts";

/**
 * A clock that stands still until told otherwise: `set` jumps to an instant, `advance` moves forward.
 * Core tests use it to make time explicit; the local runtime shares one so every function sees the same "now".
 */
export class SettableClock {
  #now: number;
  constructor(start: Date | string = "2026-01-01T00:00:00.000Z") {
    this.#now = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.#now);
  }
  set(instant: Date | string): void {
    const next = new Date(instant).getTime();
    if (Number.isNaN(next)) throw new RangeError(`not an instant: ${String(instant)}`);
    this.#now = next;
  }
  advance(milliseconds: number): void {
    this.#now += milliseconds;
  }
  get layer(): Layer.Layer<Clock> {
    return Layer.succeed(Clock, { now: Effect.sync(() => this.now()) });
  }
}

/** A Clock layer fixed at one instant, for tests that need just one "now". */
export const fixedClock = (instant: Date | string): Layer.Layer<Clock> => new SettableClock(instant).layer;
