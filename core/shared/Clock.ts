import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";

/**
 * The one source of "now" for every use case. AWS reads the system clock; tests and the local runtime
 * hold a settable clock so time can be travelled without waiting.
 */
export class Clock extends Context.Service<
  Clock,
  {
    readonly now: Effect.Effect<Date>;
  }
>()("core/shared/Clock") {}
