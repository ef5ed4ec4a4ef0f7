import * as Effect from "effect/Effect";
import { Clock } from "../shared/Clock.ts";
import { offer, sendOrSkip } from "./claims.ts";
import { DeliveryQueue } from "./DeliveryQueue.ts";
import { DeliveryStore } from "./DeliveryStore.ts";
import { SchedulingSettings } from "./SchedulingSettings.ts";

/**
 * Recovery of deliveries whose message is gone (lost, expired, purged, deleted by mistake, or a local queue that
 * restarted empty): nothing else would ever send them, since the dispatcher only acts on messages it receives.
 */
export interface RecoveryOptions {
  /**
   * A `queued` delivery with no sign of life for this long has lost its message: longer than a message can live
   * unnoticed (the queue's visibility timeout × its maxReceiveCount, plus a margin; the app derives it), and far
   * longer than a dispatcher's hold, so a live hold is never taken over.
   */
  readonly staleSeconds: number;
  /** Re-queues before a delivery that keeps disappearing ends `failed` on the dead-letter queue. @default 3 */
  readonly maxRequeues?: number;
  /**
   * Deliveries quiet since before this instant have lost their message whatever their age: the local runtime
   * starts with an empty queue and says when. Re-queuing them does not count toward `maxRequeues`: a restart
   * explains the loss, and three quick restarts must not fail what never disappeared otherwise.
   */
  readonly lostBefore?: Date;
}

export interface RecoveryCounts {
  /** Found lost and enqueued again, with the same delivery id (so the same `webhook-id`). */
  requeued: number;
  /** Found lost once too often: `failed`, and sent to the dead-letter queue. */
  gaveUp: number;
  skipped: number;
  released: number;
  batches: number;
}

export interface RecoveryRun {
  readonly owner: string;
  readonly limit: number;
  readonly leaseSeconds: number;
  readonly options: RecoveryOptions;
  /** Asked before each batch: false ends the sweep (the next tick goes on). */
  readonly mayContinue: () => boolean;
}

const reasonOf = (options: RecoveryOptions, maxRequeues: number) =>
  `message lost after ${maxRequeues} re-queues (no outcome within ${options.staleSeconds} s each time); ` +
  "sent to the dead-letter queue";

/**
 * Sweeps `queued` deliveries that went quiet, in batches: each is claimed under this scheduler's lease (so two
 * schedulers never re-queue one twice), then re-enqueued as a due claim would be (late policy included), or,
 * found lost more than `maxRequeues` times, dead-lettered and marked failed. A dead-letter queue that refuses
 * leaves the delivery pending, so the next tick sends it once more rather than fail it silently.
 */
export const recoverLost = Effect.fn("Scheduling.recoverLost")(function* (run: RecoveryRun) {
  const clock = yield* Clock;
  const store = yield* DeliveryStore;
  const queue = yield* DeliveryQueue;
  const policy = yield* SchedulingSettings;
  const maxRequeues = run.options.maxRequeues ?? 3;
  const counts: RecoveryCounts = { requeued: 0, gaveUp: 0, skipped: 0, released: 0, batches: 0 };
  while (run.mayContinue()) {
    const now = yield* clock.now;
    const stale = yield* store.claimStale({
      now,
      staleBefore: new Date(now.getTime() - run.options.staleSeconds * 1000),
      ...(run.options.lostBefore ? { lostBefore: run.options.lostBefore } : {}),
      limit: run.limit,
      leaseSeconds: run.leaseSeconds,
      owner: run.owner,
    });
    if (stale.length === 0) break;
    counts.batches += 1;
    const doomed = stale.filter((delivery) => delivery.requeues > maxRequeues).map((delivery) => delivery.id);
    const { send, skip } = sendOrSkip(
      stale.filter((delivery) => delivery.requeues <= maxRequeues),
      now,
      policy,
    );
    const [enqueued, deadLettered] = yield* Effect.all(
      [
        offer(
          queue.enqueue,
          send.map((delivery) => delivery.id),
        ),
        offer(queue.deadLetter, doomed),
      ],
      { concurrency: 2 },
    );
    if (deadLettered.accepted.length > 0) {
      yield* store.giveUp({
        owner: run.owner,
        now,
        ids: deadLettered.accepted,
        reason: reasonOf(run.options, maxRequeues),
      });
    }
    const released = [...enqueued.refused, ...deadLettered.refused];
    yield* store.settle({
      owner: run.owner,
      now,
      queued: enqueued.accepted,
      skipped: skip.map((delivery) => delivery.id),
      released,
    });
    counts.requeued += enqueued.accepted.length;
    counts.gaveUp += deadLettered.accepted.length;
    counts.skipped += skip.length;
    counts.released += released.length;
    // A short batch: nothing else is stale. A refusing queue: leave the rest to the next tick.
    if (stale.length < run.limit || released.length > 0) break;
  }
  return counts;
});
