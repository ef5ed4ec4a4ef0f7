import * as Effect from "effect/Effect";
import { Clock } from "../shared/Clock.ts";
import { offer, sendOrSkip } from "./claims.ts";
import { DeliveryQueue } from "./DeliveryQueue.ts";
import { DeliveryStore } from "./DeliveryStore.ts";
import { type RecoveryOptions, recoverLost } from "./recovery.ts";
import { nextOccurrencesOf } from "./reschedule.ts";
import { SchedulingSettings } from "./SchedulingSettings.ts";

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
  /**
   * Re-queue deliveries whose message is gone before claiming due ones (core/scheduling/recovery.ts). The apps
   * always pass it; without it the run only claims due deliveries.
   */
  readonly recovery?: RecoveryOptions;
}

export interface TickCounts {
  readonly claimed: number;
  readonly queued: number;
  readonly skipped: number;
  /** Not accepted by the queue: back to pending, retried by the next tick. */
  readonly released: number;
  readonly batches: number;
  /** Found with their message lost and enqueued again under the same delivery id. */
  readonly requeued: number;
  /** Lost too many times: marked failed and sent to the dead-letter queue. */
  readonly gaveUp: number;
}

/**
 * One scheduler run: first re-queue what lost its message (recovery.ts, when `recovery` is given), then claim due
 * deliveries in batches (past-due ones too, after downtime, and those whose lease expired under a scheduler that
 * died), scheduling each event's next occurrence in the claim's transaction; send
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
  const leaseSeconds = options.leaseSeconds ?? 120;
  const counts = { claimed: 0, queued: 0, skipped: 0, released: 0, batches: 0, requeued: 0, gaveUp: 0 };
  let stopped = false;
  /** Batches begun, counted before their claim so concurrent lanes never exceed maxBatches together. */
  let begun = 0;

  if (options.recovery) {
    const recovered = yield* recoverLost({
      owner: options.owner,
      limit,
      leaseSeconds,
      options: options.recovery,
      // Its batches count toward maxBatches and the time left, like any other.
      mayContinue: () => {
        if (begun >= maxBatches || !(options.hasTime?.() ?? true)) return false;
        begun += 1;
        return true;
      },
    });
    counts.requeued = recovered.requeued;
    counts.gaveUp = recovered.gaveUp;
    counts.skipped += recovered.skipped;
    counts.released += recovered.released;
    counts.batches += recovered.batches;
  }

  /** One batch: claim, decide, enqueue, mark. False when nothing more is worth claiming in this run. */
  const batch = Effect.gen(function* () {
    const now = yield* clock.now;
    const claimed = yield* store.claimDue({
      now,
      limit,
      leaseSeconds,
      owner: options.owner,
      nextOf: nextOccurrencesOf(now, policy),
    });
    if (claimed.length === 0) return false;
    counts.batches += 1;
    counts.claimed += claimed.length;

    const { send, skip } = sendOrSkip(claimed, now, policy);
    const { accepted, refused: released } = yield* offer(
      queue.enqueue,
      send.map((delivery) => delivery.id),
    );
    yield* store.settle({
      owner: options.owner,
      now,
      queued: accepted,
      skipped: skip.map((delivery) => delivery.id),
      released,
    });
    counts.queued += accepted.length;
    counts.skipped += skip.length;
    counts.released += released.length;
    // A short batch means nothing else is due. Refused messages are due again at once: leave them to the next
    // run rather than hammer a struggling queue now, and stop the other lanes too.
    if (claimed.length < limit || released.length > 0) stopped = true;
    return !stopped;
  });

  // Lanes overlap one batch's enqueue (SQS round trips) with another's claim and mark (database); SKIP LOCKED
  // keeps them apart exactly as it keeps separate schedulers apart. Only lane 0 runs a first batch regardless of
  // the time left (and of a recovery sweep's batches), so a run always makes progress on what is due.
  const lane = (index: number) =>
    Effect.gen(function* () {
      let first = index === 0;
      while (!stopped && (first || (begun < maxBatches && (options.hasTime?.() ?? true)))) {
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
