import * as Effect from "effect/Effect";
import { Clock } from "../shared/Clock.ts";
import { DeliveryStore, type DispatchDelivery } from "./DeliveryStore.ts";
import { renderMessage, templateOf, type WebhookPayload } from "./model.ts";
import { WebhookSender } from "./WebhookSender.ts";

export interface DispatchMessage {
  readonly deliveryId: string;
  /** How many times the queue has handed this message out, this time included. */
  readonly receiveCount: number;
}

/** What the queue consumer does with one message. */
export type DispatchDecision =
  | {
      readonly kind: "acknowledge";
      readonly reason: string;
      /** Set when this dispatcher posted it: delivered (2xx) or refused for good (a 4xx). */
      readonly outcome?: "delivered" | "failed";
      /** Delivered: from the instant it was due to the receiver's 2xx. */
      readonly latenessMs?: number;
    }
  | { readonly kind: "retry"; readonly retryAfterSeconds?: number; readonly reason: string }
  /** Out of receives: the delivery is marked failed and the message left to go to the dead-letter queue. */
  | { readonly kind: "give-up"; readonly reason: string };

export const payloadOf = (delivery: DispatchDelivery, now: Date): WebhookPayload => ({
  message: renderMessage(
    templateOf({ type: delivery.eventType, message: delivery.template }),
    delivery,
    delivery.eventDate,
    delivery.occurrence,
  ),
  user_id: delivery.userId,
  event_id: delivery.eventId,
  event_type: delivery.eventType,
  occurrence: delivery.occurrence,
  timestamp: now.toISOString(),
});

export interface DispatchOptions {
  /** The queue's maxReceiveCount: on that receive a retryable failure is final. */
  readonly maxReceives: number;
  /** @default 60 */
  readonly holdSeconds?: number;
}

const dispatchOne = (delivery: DispatchDelivery | undefined, message: DispatchMessage, maxReceives: number) =>
  Effect.gen(function* () {
    if (!delivery) return { kind: "acknowledge", reason: "unknown delivery" } as DispatchDecision;
    // Delivered, failed, skipped or cancelled (its user deleted): never post again.
    if (!delivery.taken) {
      const reason = ["claimed", "queued"].includes(delivery.status)
        ? "in flight elsewhere"
        : `already ${delivery.status}`;
      return { kind: "acknowledge", reason } as const;
    }
    const clock = yield* Clock;
    const store = yield* DeliveryStore;
    const sender = yield* WebhookSender;
    const outcome = yield* sender.send(delivery.id, payloadOf(delivery, yield* clock.now));
    const now = yield* clock.now;
    switch (outcome.kind) {
      case "delivered":
        yield* store.recordOutcome(delivery.id, now, { kind: "delivered", status: outcome.status });
        return {
          kind: "acknowledge",
          reason: "delivered",
          outcome: "delivered",
          latenessMs: Math.max(0, now.getTime() - delivery.sendAt.getTime()),
        } as const;
      case "permanent":
        yield* store.recordOutcome(delivery.id, now, { kind: "failed", reason: outcome.reason });
        return { kind: "acknowledge", reason: `refused: ${outcome.reason}`, outcome: "failed" } as const;
      case "retry": {
        if (message.receiveCount >= maxReceives) {
          const reason = `gave up after ${message.receiveCount} attempts: ${outcome.reason}`;
          yield* store.recordOutcome(delivery.id, now, { kind: "failed", reason });
          return { kind: "give-up", reason } as const;
        }
        yield* store.recordOutcome(delivery.id, now, { kind: "attempt-failed", reason: outcome.reason });
        return {
          kind: "retry",
          reason: outcome.reason,
          ...(outcome.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: outcome.retryAfterSeconds }),
        } as const;
      }
    }
  }).pipe(
    // The store failed mid-way: the message comes back and the hold lapses, so the next receive decides again.
    Effect.catch((error) =>
      Effect.succeed<DispatchDecision>({ kind: "retry", reason: `${error.dependency} unavailable` }),
    ),
  );

/**
 * Posts the webhook of each queued delivery this dispatcher could take and decides each message's fate. One
 * statement loads and holds the whole batch; the posts run side by side so one slow receiver does not hold the
 * others back. A store failure before any post fails the whole batch (nothing was sent).
 */
export const dispatchDeliveries = Effect.fn("Scheduling.dispatchDeliveries")(function* (
  messages: readonly DispatchMessage[],
  options: DispatchOptions,
) {
  const store = yield* DeliveryStore;
  const clock = yield* Clock;
  const found = yield* store.beginDispatch({
    ids: [...new Set(messages.map((message) => message.deliveryId))],
    now: yield* clock.now,
    holdSeconds: options.holdSeconds ?? 60,
  });
  const byId = new Map(found.map((delivery) => [delivery.id, delivery]));
  const seen = new Set<string>();
  return yield* Effect.forEach(
    messages,
    (message) => {
      // The same delivery twice in one batch (a re-enqueue after a crash) is posted once.
      if (seen.has(message.deliveryId))
        return Effect.succeed<DispatchDecision>({ kind: "acknowledge", reason: "duplicate" });
      seen.add(message.deliveryId);
      return dispatchOne(byId.get(message.deliveryId), message, options.maxReceives);
    },
    { concurrency: "unbounded" },
  );
});
