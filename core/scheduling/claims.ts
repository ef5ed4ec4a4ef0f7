import * as Effect from "effect/Effect";
import type { DependencyUnavailable } from "../shared/errors.ts";
import type { EnqueueResult } from "./DeliveryQueue.ts";
import type { ClaimedDelivery } from "./DeliveryStore.ts";
import { lateDeadline, lateDecision, type SchedulePolicy } from "./occurrence.ts";
import { parseDate } from "./time.ts";

/** What a scheduler does with its claims, whether they came due or were found lost: the shared steps. */

/** Splits claims by the late policy: still worth sending at `now`, or past their late window. */
export const sendOrSkip = <D extends ClaimedDelivery>(claimed: readonly D[], now: Date, policy: SchedulePolicy) => {
  const send: D[] = [];
  const skip: D[] = [];
  for (const delivery of claimed) {
    const until = lateDeadline(parseDate(delivery.occurrence), delivery.sendAt, delivery.timeZone, policy.latePolicy);
    (lateDecision(now, until) === "send" ? send : skip).push(delivery);
  }
  return { send, skip };
};

/**
 * Offers ids to a queue (the deliveries queue or its dead-letter queue). Never fails: a queue that is down
 * accepted nothing, and whatever it did not accept is returned as `refused`, for the claim to be released.
 */
export const offer = (
  send: (ids: readonly string[]) => Effect.Effect<EnqueueResult, DependencyUnavailable>,
  ids: readonly string[],
) =>
  (ids.length === 0 ? Effect.succeed<EnqueueResult>({ accepted: [], failed: [] }) : send(ids)).pipe(
    Effect.orElseSucceed(
      (): EnqueueResult => ({ accepted: [], failed: ids.map((id) => ({ id, reason: "queue down" })) }),
    ),
    Effect.map((result) => {
      const accepted = new Set(result.accepted);
      return { accepted: ids.filter((id) => accepted.has(id)), refused: ids.filter((id) => !accepted.has(id)) };
    }),
  );
