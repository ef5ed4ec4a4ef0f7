import * as Effect from "effect/Effect";
import { Clock } from "../shared/Clock.ts";
import { DeliveryQueue, type EnqueueResult } from "./DeliveryQueue.ts";
import { type ClaimedDelivery, DeliveryStore } from "./DeliveryStore.ts";
import type { PendingDelivery } from "./model.ts";
import { lateDeadline, lateDecision, nextOccurrence, type SchedulePolicy } from "./occurrence.ts";
import { SchedulingSettings } from "./SchedulingSettings.ts";
import { parseDate } from "./time.ts";

export interface TickOptions {
  /** This scheduler's identity for its leases (a Lambda request id). */
  readonly owner: string;
  /** Rows per claim. @default 1000 */
  readonly batchSize?: number;
  /** How long a claim is held before another scheduler may take it over. @default 120 */
  readonly leaseSeconds?: number;
  /** Stop after this many batches (a Lambda has a timeout); the next tick goes on. @default 200 */
  readonly maxBatches?: number;
  /**
   * Asked before each batch after the first: false stops the run, so a Lambda near its timeout settles what it
   * claimed instead of being killed holding leases. The app passes the invocation's remaining time.
   */
  readonly hasTime?: () => boolean;
}

export interface TickCounts {
  readonly claimed: number;
  readonly queued: number;
  readonly skipped: number;
  /** Not accepted by the queue: back to pending, retried by the next tick. */
  readonly released: number;
  readonly batches: number;
}

/** The occurrence after a settled one: the following year, at the earliest. */
const nextAfter = (delivery: ClaimedDelivery, now: Date, policy: SchedulePolicy): PendingDelivery => {
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

/**
 * One scheduler run: claim due deliveries in batches (past-due ones too, after downtime, and those whose lease
 * expired under a scheduler that died), scheduling each event's next occurrence in the claim's transaction; send
 * or skip each per the late policy, enqueue, then mark what the queue accepted. Only accepted messages are marked
 * queued; a crash at any point leaves claims that the lease hands to the next run, and the unique (event,
 * occurrence) key keeps a reschedule from ever doubling a row.
 */
export const runSchedulerTick = Effect.fn("Scheduling.runSchedulerTick")(function* (options: TickOptions) {
  const clock = yield* Clock;
  const store = yield* DeliveryStore;
  const queue = yield* DeliveryQueue;
  const policy = yield* SchedulingSettings;
  const limit = options.batchSize ?? 1000;
  const counts = { claimed: 0, queued: 0, skipped: 0, released: 0, batches: 0 };

  while (counts.batches < (options.maxBatches ?? 200) && (counts.batches === 0 || (options.hasTime?.() ?? true))) {
    const now = yield* clock.now;
    const claimed = yield* store.claimDue({
      now,
      limit,
      leaseSeconds: options.leaseSeconds ?? 120,
      owner: options.owner,
      nextOf: (rows) => rows.map((delivery) => nextAfter(delivery, now, policy)),
    });
    if (claimed.length === 0) break;
    counts.batches += 1;
    counts.claimed += claimed.length;

    const send: ClaimedDelivery[] = [];
    const skip: ClaimedDelivery[] = [];
    for (const delivery of claimed) {
      const until = lateDeadline(parseDate(delivery.occurrence), delivery.sendAt, delivery.timeZone, policy.latePolicy);
      (lateDecision(now, until) === "send" ? send : skip).push(delivery);
    }
    const ids = send.map((delivery) => delivery.id);
    const result: EnqueueResult =
      ids.length === 0
        ? { accepted: [], failed: [] }
        : yield* queue
            .enqueue(ids)
            .pipe(
              Effect.orElseSucceed(() => ({ accepted: [], failed: ids.map((id) => ({ id, reason: "queue down" })) })),
            );
    const accepted = new Set(result.accepted);
    const released = ids.filter((id) => !accepted.has(id));
    yield* store.settle({
      owner: options.owner,
      now,
      queued: [...accepted],
      skipped: skip.map((delivery) => delivery.id),
      released,
    });
    counts.queued += accepted.size;
    counts.skipped += skip.length;
    counts.released += released.length;
    // A short batch means nothing else is due; a batch the queue refused entirely means it is down: stop either way.
    if (claimed.length < limit || (ids.length > 0 && accepted.size === 0)) break;
  }
  return counts as TickCounts;
});
