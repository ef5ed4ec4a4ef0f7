import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";
import type { DependencyUnavailable } from "../shared/errors.ts";
import type { DeliveryStatus, EventType, PendingDelivery } from "./model.ts";

/** A due delivery a scheduler holds under a lease, with what deciding and rescheduling need. */
export interface ClaimedDelivery {
  readonly id: string;
  readonly eventId: string;
  readonly userId: string;
  readonly occurrence: string;
  readonly sendAt: Date;
  readonly eventDate: string;
  readonly timeZone: string;
}

/** A delivery as the dispatcher needs it to decide and to build the webhook body. */
export interface DispatchDelivery {
  readonly id: string;
  readonly status: DeliveryStatus;
  readonly userId: string;
  readonly eventId: string;
  readonly eventType: EventType;
  readonly eventDate: string;
  readonly template: string | null;
  readonly occurrence: string;
  /** The instant it was due (09:00 local): what the delivery's lateness is measured from. */
  readonly sendAt: Date;
  readonly firstName: string;
  readonly lastName: string;
  /**
   * This dispatcher now holds the delivery and may post it. False when it is final, or when another dispatcher
   * holds it (a second message for the same delivery, after a scheduler re-enqueued it): that one carries on.
   */
  readonly taken: boolean;
}

export interface DispatchRequest {
  readonly ids: readonly string[];
  readonly now: Date;
  /** How long the hold lasts: longer than one webhook call, shorter than the queue's visibility timeout. */
  readonly holdSeconds: number;
}

export interface ClaimRequest {
  readonly now: Date;
  readonly limit: number;
  readonly leaseSeconds: number;
  /** Who holds the lease; only its holder may settle a claim. */
  readonly owner: string;
  /**
   * Each claimed event's next occurrence, inserted in the claim's own transaction (an existing (event,
   * occurrence) row, or a pending row an edit made meanwhile, is left alone). Rescheduling at claim time means
   * no crash after the claim can lose next year's message, even when the dispatcher finishes the delivery first.
   */
  readonly nextOf?: (claimed: readonly ClaimedDelivery[]) => readonly PendingDelivery[];
}

export interface Settlement {
  readonly owner: string;
  readonly now: Date;
  /** Accepted by the queue. */
  readonly queued: readonly string[];
  /** Past the late window: recorded, never sent. */
  readonly skipped: readonly string[];
  /** Not accepted by the queue: back to pending for the next tick. */
  readonly released: readonly string[];
}

/** A recovery sweep: `queued` deliveries that showed no sign of life since `staleBefore` (or `lostBefore`). */
export interface StaleClaimRequest {
  readonly now: Date;
  /**
   * Deliveries whose last activity (queued, taken by a dispatcher, an attempt recorded) is older than this have
   * lost their message, for a reason nobody knows: each such claim counts one more re-queue. Far more than a
   * dispatcher's hold before `now`; a row whose hold is still running at `now` is left alone in any case.
   */
  readonly staleBefore: Date;
  /**
   * Deliveries quiet since before this are known to have lost their message (the local runtime's queue restarted
   * empty then): claimed too, without counting a re-queue, since nothing about them keeps disappearing.
   */
  readonly lostBefore?: Date;
  readonly limit: number;
  readonly leaseSeconds: number;
  readonly owner: string;
}

/** A stale delivery now claimed under the sweeping scheduler's lease, with how often it has been found lost. */
export interface StaleDelivery extends ClaimedDelivery {
  /** Times a sweep found it lost past `staleBefore`, this one included. */
  readonly requeues: number;
}

export interface GiveUp {
  readonly owner: string;
  readonly now: Date;
  /** Claimed by `owner`; each ends `failed` with `reason`. */
  readonly ids: readonly string[];
  readonly reason: string;
}

export type DispatchOutcome =
  | { readonly kind: "delivered"; readonly status: number }
  | { readonly kind: "failed"; readonly reason: string }
  | { readonly kind: "attempt-failed"; readonly reason: string };

/**
 * The scheduler's and the dispatcher's view of deliveries. Claims are made in bulk: due rows (and rows whose
 * lease expired, left by a scheduler that died) become `claimed` by one owner until the lease ends.
 */
export class DeliveryStore extends Context.Service<
  DeliveryStore,
  {
    readonly claimDue: (request: ClaimRequest) => Effect.Effect<readonly ClaimedDelivery[], DependencyUnavailable>;
    readonly settle: (settlement: Settlement) => Effect.Effect<void, DependencyUnavailable>;
    /**
     * Claims (`FOR UPDATE SKIP LOCKED`, as `claimDue`) `queued` deliveries whose message is presumably gone,
     * counting one more re-queue on each found past `staleBefore`. They are settled like due claims: `settle` marks the
     * re-enqueued ones `queued` again (which restarts their quiet time), or `giveUp` ends them.
     */
    readonly claimStale: (request: StaleClaimRequest) => Effect.Effect<readonly StaleDelivery[], DependencyUnavailable>;
    /** Ends deliveries claimed by `owner` as `failed` with the reason; a row no longer so claimed is left alone. */
    readonly giveUp: (giveUp: GiveUp) => Effect.Effect<void, DependencyUnavailable>;
    /**
     * Loads the deliveries a batch of messages names and takes a hold on each sendable one that no other
     * dispatcher holds, in one statement. A `claimed` row becomes `queued`: its message was received, so it was
     * enqueued even if its scheduler died before marking it, and no scheduler will claim and enqueue it again.
     */
    readonly beginDispatch: (
      request: DispatchRequest,
    ) => Effect.Effect<readonly DispatchDelivery[], DependencyUnavailable>;
    /**
     * Records a webhook attempt and releases the hold; `delivered` and `failed` are final and only replace an
     * unsent state, so a late retry never turns `delivered` into `failed`.
     */
    readonly recordOutcome: (
      id: string,
      now: Date,
      outcome: DispatchOutcome,
    ) => Effect.Effect<void, DependencyUnavailable>;
  }
>()("core/scheduling/DeliveryStore") {}
