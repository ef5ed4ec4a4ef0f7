import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";
import type { Conflict, DependencyUnavailable } from "../shared/errors.ts";
import type { SessionPolicyValues, StoredSession } from "./model.ts";

/**
 * Where sessions live (DynamoDB in AWS, a Map in tests). Reads of one session are strongly consistent; the
 * per-user listing may lag behind writes (a DynamoDB GSI), which is why revoke-all also bumps a per-user
 * generation that `revokedGeneration` reads consistently and validate compares against.
 */
export class SessionStore extends Context.Service<
  SessionStore,
  {
    /** Stores a new session; `Conflict` if the id is taken (never overwrites). */
    readonly insert: (
      session: StoredSession,
      policy: SessionPolicyValues,
    ) => Effect.Effect<void, Conflict | DependencyUnavailable>;
    readonly get: (id: string) => Effect.Effect<StoredSession | undefined, DependencyUnavailable>;
    /** Moves `last_seen_at` forward (only forward, only on an unrevoked session); a lost race is not an error. */
    readonly touch: (
      session: StoredSession,
      lastSeenAt: Date,
      policy: SessionPolicyValues,
    ) => Effect.Effect<void, DependencyUnavailable>;
    /** The user's sessions, newest first, expired or not (callers filter); may miss the newest writes. */
    readonly listByUser: (userId: string) => Effect.Effect<ReadonlyArray<StoredSession>, DependencyUnavailable>;
    /** Marks the session revoked if it is `userId`'s and not revoked yet; true when this call revoked it. */
    readonly revoke: (id: string, userId: string, at: Date) => Effect.Effect<boolean, DependencyUnavailable>;
    /** The user's current revoke-all generation (0 when never revoked), read consistently. */
    readonly revokedGeneration: (userId: string) => Effect.Effect<number, DependencyUnavailable>;
    /** Bumps the user's generation so every session created before it is revoked; returns the new generation. */
    readonly bumpRevokedGeneration: (userId: string, at: Date) => Effect.Effect<number, DependencyUnavailable>;
    /** A cheap read proving the store answers (`GET /health`). */
    readonly ping: Effect.Effect<void, DependencyUnavailable>;
  }
>()("core/sessions/SessionStore") {}
