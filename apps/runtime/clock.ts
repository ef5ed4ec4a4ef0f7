import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { Clock } from "../../core/shared/Clock.ts";

/**
 * The Clock every handler provides. In AWS it is the wall clock. The local runtime runs the handlers in its own
 * process and points this source at its settable clock, so `POST /_local/clock` moves time for every function and
 * schedule at once; nothing else may call `setClockSource`.
 */
let source: () => Date = () => new Date();

export const setClockSource = (next: () => Date): void => {
  source = next;
};

export const appClock: Layer.Layer<Clock> = Layer.succeed(Clock, { now: Effect.sync(() => source()) });
