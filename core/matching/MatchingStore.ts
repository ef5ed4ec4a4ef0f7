import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";
import type { Conflict, DependencyUnavailable, Forbidden, NotFound } from "../shared/errors.ts";
import type { BatchPlan } from "./batch.ts";
import type { BlockedPairs, Chips, PoolEntry, Tier } from "./model.ts";

/** The matching state the use cases need; each method is one atomic step (a transaction in Postgres). */

export interface Intention {
  readonly id: string;
  readonly userId: string;
  readonly text: string | undefined;
  readonly chips: Chips;
  readonly embedding: readonly number[] | undefined;
  readonly createdAt: Date;
}

/** An intention waiting in the pool; it expires `policy.expiryHours` after `joinedAt`. */
export interface PoolState {
  readonly tier: Tier;
  readonly joinedAt: Date;
}

export type MatchStatus = "proposed" | "accepted" | "declined" | "expired";

export interface Match {
  readonly id: string;
  /** userA < userB, as the database requires. */
  readonly userA: string;
  readonly userB: string;
  readonly intentionA: string;
  readonly intentionB: string;
  readonly score: number;
  readonly tier: Tier;
  readonly matchedOn: readonly string[];
  readonly relaxed: readonly string[];
  readonly status: MatchStatus;
  readonly acceptedA: boolean;
  readonly acceptedB: boolean;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export interface RunFigures {
  readonly pool_size: number;
  readonly pairs_created: number;
  readonly by_tier: { readonly "0": number; readonly "1": number; readonly "2": number };
  readonly promoted: number;
  readonly expired: number;
}

export type Response = "accept" | "decline";

export type Planner = (input: {
  readonly entries: readonly PoolEntry[];
  readonly blockedPairs: BlockedPairs;
}) => Effect.Effect<BatchPlan>;

export class MatchingStore extends Context.Service<
  MatchingStore,
  {
    /** Answers when the store is reachable (the functions' health checks). */
    readonly ping: Effect.Effect<void, DependencyUnavailable>;
    /** Makes `intention` the user's one active intention, in the pool; Conflict while the user has an active match. */
    readonly replaceIntention: (
      intention: Intention,
      pool: PoolState,
      now: Date,
    ) => Effect.Effect<{ readonly replaced: boolean }, Conflict | DependencyUnavailable>;
    readonly currentIntention: (
      userId: string,
      now: Date,
    ) => Effect.Effect<
      { readonly intention: Intention; readonly pool: PoolState | undefined } | undefined,
      DependencyUnavailable
    >;
    /** Ends the user's active intention and takes it out of the pool; false when there was none. */
    readonly withdraw: (userId: string, now: Date) => Effect.Effect<boolean, DependencyUnavailable>;
    /** The user's match that is proposed or accepted and not yet expired. */
    readonly activeMatch: (userId: string, now: Date) => Effect.Effect<Match | undefined, DependencyUnavailable>;
    /** Applies `respondTo` (matches.ts) atomically: accept, or decline (re-pool both, block the pair forever). */
    readonly respond: (
      matchId: string,
      userId: string,
      response: Response,
      now: Date,
    ) => Effect.Effect<Match, NotFound | Forbidden | Conflict | DependencyUnavailable>;
    readonly recordFeedback: (
      matchId: string,
      userId: string,
      feedback: { readonly matchedOn: readonly string[]; readonly wasAccurate: boolean },
      now: Date,
    ) => Effect.Effect<void, NotFound | Forbidden | DependencyUnavailable>;
    /** Pool entries in these cities (lower-cased), and the user ids `userId` may never be paired with again. */
    readonly poolIn: (cities: readonly string[]) => Effect.Effect<readonly PoolEntry[], DependencyUnavailable>;
    readonly pastPartners: (userId: string) => Effect.Effect<ReadonlySet<string>, DependencyUnavailable>;
    /**
     * One batch under the store's lock: load the whole pool and past pairs, plan, then store expiries,
     * promotions and matches together, or nothing at all. "skipped_locked" when another batch holds the lock.
     * The new matches expire at `matchesExpireAt` (policy.ts, matchExpiresAt).
     */
    readonly runBatch: (
      runId: string,
      now: Date,
      matchesExpireAt: Date,
      plan: Planner,
    ) => Effect.Effect<RunFigures | "skipped_locked", DependencyUnavailable>;
  }
>()("core/matching/MatchingStore") {}
