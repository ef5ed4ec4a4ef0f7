import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";
import type * as Result from "effect/Result";
import type { DependencyUnavailable, NotFound } from "../shared/errors.ts";
import type { Delivery, DeliveryStatus, PendingDelivery, User, YearlyEvent } from "./model.ts";

/** A user as a recompute needs it: its live events and what was already handed to the queue. */
export interface UserSnapshot {
  readonly user: User;
  readonly events: readonly YearlyEvent[];
  /** By event id: the latest occurrence year already claimed, queued, delivered, failed or skipped. */
  readonly sentYears: Readonly<Record<string, number>>;
  /** Deliveries not yet claimed by a scheduler (at most one per event). */
  readonly pending: readonly Delivery[];
}

export interface UserDetails extends UserSnapshot {
  /** The latest deliveries that left `pending`, newest first. */
  readonly recent: readonly Delivery[];
}

/** The new state of one user, written in one transaction. */
export interface UserChange {
  readonly user: User;
  /** Events inserted or updated. */
  readonly events: readonly YearlyEvent[];
  /** Events removed; their unsent deliveries are cancelled. */
  readonly removedEventIds: readonly string[];
  /** Replaces every pending delivery of the user. */
  readonly pending: readonly PendingDelivery[];
}

/**
 * Users, their events and their pending deliveries. `modify` reads the snapshot and writes the plan's change in
 * one transaction with the user locked, so a recompute never races another edit of the same user.
 */
export class UserRepository extends Context.Service<
  UserRepository,
  {
    readonly create: (change: UserChange) => Effect.Effect<void, DependencyUnavailable>;
    readonly find: (id: string) => Effect.Effect<UserDetails | undefined, DependencyUnavailable>;
    readonly modify: <E>(
      id: string,
      plan: (snapshot: UserSnapshot) => Result.Result<UserChange, E>,
    ) => Effect.Effect<UserDetails, E | NotFound | DependencyUnavailable>;
    /** Removes the user; every pending, claimed or queued delivery becomes `cancelled`. */
    readonly remove: (id: string, now: Date) => Effect.Effect<void, NotFound | DependencyUnavailable>;
    readonly listDeliveries: (query: {
      readonly status?: DeliveryStatus;
      readonly limit: number;
    }) => Effect.Effect<readonly Delivery[], DependencyUnavailable>;
    /** The cheapest round trip to the store, for health checks. */
    readonly ping: Effect.Effect<void, DependencyUnavailable>;
  }
>()("core/scheduling/UserRepository") {}
