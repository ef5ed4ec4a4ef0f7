import * as Effect from "effect/Effect";
import { Clock } from "../shared/Clock.ts";
import { DeliveryQueue, type EnqueueResult } from "./DeliveryQueue.ts";
import { type ClaimedDelivery, DeliveryStore } from "./DeliveryStore.ts";
import { lateDeadline, lateDecision } from "./occurrence.ts";
import { nextOccurrencesOf } from "./reschedule.ts";
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
  /** Batches in flight at once within this run. @default 4 */
  readonly lanes?: number;
}

export interface TickCounts {
  readonly claimed: number;
  readonly queued: number;
  readonly skipped: number;
  /** Not accepted by the queue: back to pending, retried by the next tick. */
  readonly released: number;
  readonly batches: number;
}

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
  const maxBatches = options.maxBatches ?? 200;
  const counts = { claimed: 0, queued: 0, skipped: 0, released: 0, batches: 0 };
  let stopped = false;
  /** Batches begun, counted before their claim so concurrent lanes never exceed maxBatches together. */
  let begun = 0;

  /** One batch: claim, decide, enqueue, mark. False when nothing more is worth claiming in this run. */
  const batch = Effect.gen(function* () {
    const now = yield* clock.now;
    const claimed = yield* store.claimDue({
      now,
      limit,
      leaseSeconds: options.leaseSeconds ?? 120,
      owner: options.owner,
      nextOf: nextOccurrencesOf(now, policy),
    });
    if (claimed.length === 0) return false;
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
    // A short batch means nothing else is due. Refused messages are due again at once: leave them to the next
    // run rather than hammer a struggling queue now, and stop the other lanes too.
    if (claimed.length < limit || released.length > 0) stopped = true;
    return !stopped;
  });

  // Lanes overlap one batch's enqueue (SQS round trips) with another's claim and mark (database); SKIP LOCKED
  // keeps them apart exactly as it keeps separate schedulers apart. Only lane 0 runs a first batch regardless of
  // the time left, so a run always makes progress.
  const lane = (index: number) =>
    Effect.gen(function* () {
      let first = index === 0;
      while (!stopped && begun < maxBatches && (first || (options.hasTime?.() ?? true))) {
        first = false;
        begun += 1;
        if (!(yield* batch)) return;
      }
    });
  yield* Effect.forEach(
    Array.from({ length: Math.max(1, options.lanes ?? 4) }, (_, index) => index),
    lane,
    { concurrency: "unbounded", discard: true },
  );
  return counts as TickCounts;
});
