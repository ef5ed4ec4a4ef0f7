import { randomUUID } from "node:crypto";
import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import type { DeliveryQueue } from "../../core/scheduling/DeliveryQueue.ts";
import type { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import type { RecoveryOptions } from "../../core/scheduling/recovery.ts";
import type { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { runSchedulerTick, type TickCounts } from "../../core/scheduling/scheduler.ts";
import { Clock } from "../../core/shared/Clock.ts";
import { describeError, type Logger, makeLogger } from "../observe/log.ts";
import { recordMetric } from "../observe/metrics.ts";
import { readRecovery } from "../runtime/scheduling.ts";

type Services = DeliveryStore | DeliveryQueue | SchedulingSettings | Clock;

/** What Lambda passes besides the event (the local runtime passes the same). */
export interface InvocationContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

/** Left for settling the last batch: one claim, one SendMessageBatch round, one settle, with room to spare. */
const SETTLE_RESERVE_MS = 15_000;

const scheduledTimeOf = (event: unknown): string | undefined =>
  typeof event === "object" && event !== null && "scheduled_time" in event ? String(event.scheduled_time) : undefined;

/**
 * The scheduler (EventBridge Scheduler, every minute). Any event starts one run: the tick works from the Clock's
 * now, not from the event's scheduled time, so a late or retried invocation still catches up on everything due.
 * Each run first re-queues deliveries whose message is gone (`recovery`, apps/runtime/scheduling.ts derives it).
 * The request id names the leases. A failure (database down) throws, so the invocation counts as an error.
 */
export const makeSchedulerHandler = (
  runtime: ManagedRuntime.ManagedRuntime<Services, unknown>,
  logger: Logger = makeLogger({ function: "scheduler" }),
  recovery: RecoveryOptions = readRecovery({}),
) => {
  // `lostBefore` (the local queue's start) holds while the clock is past it. Once a tick sees the clock set back
  // before it, deliveries queued from then on would look older than the queue: it is dropped for good, and what
  // the restart lost and no tick has re-queued yet comes back by the stale rule instead.
  let current = recovery;
  const nowOf = Effect.gen(function* () {
    return yield* (yield* Clock).now;
  });
  return async (event: unknown, context?: InvocationContext): Promise<TickCounts> => {
    const owner = context?.awsRequestId ?? randomUUID();
    const hasTime = context ? () => context.getRemainingTimeInMillis() > SETTLE_RESERVE_MS : undefined;
    const started = Date.now();
    if (current.lostBefore && (await runtime.runPromise(nowOf)) < current.lostBefore) {
      const { lostBefore: _setBack, ...rest } = current;
      current = rest;
    }
    const exit = await runtime.runPromiseExit(
      runSchedulerTick({ owner, recovery: current, ...(hasTime ? { hasTime } : {}) }),
    );
    const fields = { request_id: owner, scheduled_time: scheduledTimeOf(event), duration_ms: Date.now() - started };
    if (Exit.isSuccess(exit)) {
      logger.info("tick", { ...fields, ...exit.value });
      if (exit.value.skipped > 0) recordMetric("Deliveries", "skipped_late", exit.value.skipped);
      if (exit.value.gaveUp > 0) recordMetric("DeadLettered", exit.value.gaveUp);
      // The dead-letter queue's alarm fires too; this line says which run and how many.
      if (exit.value.gaveUp > 0) logger.warn("deliveries lost for good", { ...fields, gave_up: exit.value.gaveUp });
      return exit.value;
    }
    logger.error("tick failed", { ...fields, ...describeError(Cause.squash(exit.cause)) });
    throw new Error("scheduler tick failed: a dependency is unavailable; claims are released when their lease ends");
  };
};
