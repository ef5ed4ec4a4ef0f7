import * as Cause from "effect/Cause";
import * as Exit from "effect/Exit";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import * as Result from "effect/Result";
import * as Schema from "effect/Schema";
import { DeliveryMessageJson } from "../../adapters/sqs/deliveries-queue.ts";
import { backoffSeconds } from "../../adapters/webhook/client.ts";
import type { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import { type DispatchDecision, type DispatchMessage, dispatchDeliveries } from "../../core/scheduling/dispatcher.ts";
import type { WebhookSender } from "../../core/scheduling/WebhookSender.ts";
import type { Clock } from "../../core/shared/Clock.ts";
import type { SqsBatchResponse, SqsEvent, SqsRecord } from "../http/events.ts";
import { DELIVERIES_QUEUE } from "../manifest.ts";
import { describeError, type Logger, makeLogger } from "../observe/log.ts";
import { recordMetric } from "../observe/metrics.ts";

type Services = DeliveryStore | WebhookSender | Clock;

export interface DispatcherOptions {
  readonly runtime: ManagedRuntime.ManagedRuntime<Services, unknown>;
  /** Hides a received message for `seconds` (ChangeMessageVisibility), so its retry waits out the backoff. */
  readonly delayRetry: (receiptHandle: string, seconds: number) => Promise<void>;
  /** Seconds before a retry, from the receive count and the receiver's Retry-After. @default backoffSeconds */
  readonly backoff?: (receiveCount: number, retryAfterSeconds?: number) => number;
  /** The queue's maxReceiveCount. @default DELIVERIES_QUEUE.maxReceiveCount */
  readonly maxReceives?: number;
  readonly logger?: Logger;
}

const decodeMessage = Schema.decodeUnknownResult(DeliveryMessageJson);

/** Deliveries by outcome, lateness of each 2xx, and each give-up (its message is on its way to the DLQ). */
const recordDecision = (decision: DispatchDecision): void => {
  if (decision.kind === "retry") recordMetric("Deliveries", "retried");
  if (decision.kind === "give-up") {
    recordMetric("Deliveries", "failed");
    recordMetric("DeadLettered");
  }
  if (decision.kind !== "acknowledge") return;
  if (decision.outcome) recordMetric("Deliveries", decision.outcome);
  if (decision.latenessMs !== undefined) recordMetric("DeliveryLateness", decision.latenessMs);
};

const parseRecord = (record: SqsRecord): DispatchMessage | undefined => {
  const decoded = decodeMessage(record.body);
  if (Result.isFailure(decoded)) return undefined;
  const receiveCount = Number(record.attributes.ApproximateReceiveCount);
  return {
    deliveryId: decoded.success.delivery_id,
    receiveCount: Number.isInteger(receiveCount) && receiveCount > 0 ? receiveCount : 1,
  };
};

/**
 * The dispatcher (SQS trigger, batch 10, ReportBatchItemFailures). Each record is decided on its own: acknowledged
 * (delivered, refused for good, already final, or held by another dispatcher), or reported as a batch item
 * failure so only it comes back. A retry first moves the message's visibility to the backoff (Retry-After
 * honoured); a give-up, on the last receive, makes it visible at once so SQS moves it to the dead-letter queue
 * on its next receive, its delivery already marked failed. A body that is not a delivery message also stays,
 * and ends in the dead-letter queue for an operator to read.
 */
export const makeDispatcherHandler = (options: DispatcherOptions) => {
  const logger = options.logger ?? makeLogger({ function: "dispatcher" });
  const backoff = options.backoff ?? backoffSeconds;
  const maxReceives = options.maxReceives ?? DELIVERIES_QUEUE.maxReceiveCount;

  const delay = (record: SqsRecord, seconds: number) =>
    options.delayRetry(record.receiptHandle, seconds).catch((error: unknown) =>
      // The message still comes back, after the queue's own visibility timeout instead.
      logger.warn("visibility change failed", { message_id: record.messageId, ...describeError(error) }),
    );

  return async (event: SqsEvent): Promise<SqsBatchResponse> => {
    const records = event.Records ?? [];
    const parsed = records.map((record) => ({ record, message: parseRecord(record) }));
    const valid = parsed.flatMap(({ record, message }) => (message ? [{ record, message }] : []));
    const failures: string[] = [];
    for (const { record, message } of parsed) {
      if (message) continue;
      logger.error("malformed message", { message_id: record.messageId, body_bytes: record.body.length });
      failures.push(record.messageId);
    }

    const exit = await options.runtime.runPromiseExit(
      dispatchDeliveries(
        valid.map(({ message }) => message),
        { maxReceives },
      ),
    );
    if (Exit.isFailure(exit)) {
      // Nothing was posted (the batch's lookup failed): every message comes back after the visibility timeout.
      const error = Cause.squash(exit.cause);
      const dependency = (error as { dependency?: unknown }).dependency;
      logger.error("dispatch failed", { records: records.length, dependency, ...describeError(error) });
      return { batchItemFailures: records.map((record) => ({ itemIdentifier: record.messageId })) };
    }

    const counts: Record<DispatchDecision["kind"], number> = { acknowledge: 0, retry: 0, "give-up": 0 };
    await Promise.all(
      exit.value.map((decision, index) => {
        const item = valid[index];
        if (!item) return undefined;
        counts[decision.kind] += 1;
        recordDecision(decision);
        if (decision.kind === "acknowledge") return undefined;
        failures.push(item.record.messageId);
        if (decision.kind === "give-up") {
          logger.warn("delivery failed for good", { delivery_id: item.message.deliveryId, reason: decision.reason });
          return delay(item.record, 0);
        }
        return delay(item.record, backoff(item.message.receiveCount, decision.retryAfterSeconds));
      }),
    );
    logger.info("batch", { records: records.length, malformed: records.length - valid.length, ...counts });
    return { batchItemFailures: failures.map((itemIdentifier) => ({ itemIdentifier })) };
  };
};
