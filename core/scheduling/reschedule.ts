import type { ClaimedDelivery } from "./DeliveryStore.ts";
import type { PendingDelivery } from "./model.ts";
import { nextOccurrence, type SchedulePolicy } from "./occurrence.ts";

/**
 * The occurrence after a claimed one: the following year, at the earliest. The scheduler passes it as a claim's
 * `nextOf`, and the delivery-store function builds the same callback from its own settings when a claim arrives
 * over the Invoke API (a function cannot travel in a payload), so both paths schedule the same next rows.
 */
export const nextAfter = (delivery: ClaimedDelivery, now: Date, policy: SchedulePolicy): PendingDelivery => {
  const next = nextOccurrence(
    {
      eventDate: delivery.eventDate,
      timeZone: delivery.timeZone,
      now,
      fromYear: Number(delivery.occurrence.slice(0, 4)) + 1,
    },
    policy,
  );
  return { eventId: delivery.eventId, userId: delivery.userId, occurrence: next.occurrence, sendAt: next.sendAt };
};

/** A claim's `nextOf` for a claim made at `now` under `policy`. */
export const nextOccurrencesOf =
  (now: Date, policy: SchedulePolicy) =>
  (claimed: readonly ClaimedDelivery[]): readonly PendingDelivery[] =>
    claimed.map((delivery) => nextAfter(delivery, now, policy));
