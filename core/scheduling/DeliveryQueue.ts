import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";
import type { DependencyUnavailable } from "../shared/errors.ts";

export interface EnqueueResult {
  readonly accepted: readonly string[];
  readonly failed: ReadonlyArray<{ readonly id: string; readonly reason: string }>;
}

/** The queue between scheduler and dispatcher; a message names one delivery. Partial acceptance is normal. */
export class DeliveryQueue extends Context.Service<
  DeliveryQueue,
  {
    readonly enqueue: (deliveryIds: readonly string[]) => Effect.Effect<EnqueueResult, DependencyUnavailable>;
    /**
     * Sends the same messages to the dead-letter queue instead, so its alarm fires: recovery gave these
     * deliveries up (their messages kept disappearing). Partial acceptance is reported as by `enqueue`.
     */
    readonly deadLetter: (deliveryIds: readonly string[]) => Effect.Effect<EnqueueResult, DependencyUnavailable>;
  }
>()("core/scheduling/DeliveryQueue") {}
