import * as Effect from "effect/Effect";
import { Clock } from "../shared/Clock.ts";
import { Forbidden } from "../shared/errors.ts";
import { Ids } from "../shared/Ids.ts";
import { IdentityVerifier } from "./IdentityVerifier.ts";
import {
  encodeBytes,
  formatToken,
  idleExpiryOf,
  invalidityOf,
  newestFirst,
  PUBLIC_ID_BYTES,
  SECRET_BYTES,
  type StoredSession,
  secretBytes,
} from "./model.ts";
import { SecretHasher } from "./SecretHasher.ts";
import { SessionPolicy } from "./SessionPolicy.ts";
import { SessionStore } from "./SessionStore.ts";

export interface CreateSessionInput {
  readonly provider: string;
  readonly idToken: string;
  readonly device?: string | undefined;
  /** Optional claim by the client; refused (403) when it is not the verified subject. */
  readonly userId?: string | undefined;
}

export interface CreatedSession {
  /** The token `<public_id>.<secret>`: shown once, here, and never stored. */
  readonly token: string;
  readonly session: StoredSession;
  readonly idleExpiresAt: Date;
}

/**
 * Signs a user in: the ID token proves who they are (its `sub` is the user id), then a new session is stored
 * with only the hash of its secret. Past the per-user cap the oldest live sessions are revoked.
 */
export const createSession = Effect.fn("Sessions.create")(function* (input: CreateSessionInput) {
  const verifier = yield* IdentityVerifier;
  const store = yield* SessionStore;
  const ids = yield* Ids;
  const hasher = yield* SecretHasher;
  const policy = yield* SessionPolicy;
  const now = yield* (yield* Clock).now;

  const identity = yield* verifier.verify({ provider: input.provider, idToken: input.idToken, now });
  if (input.userId !== undefined && input.userId !== identity.subject) {
    return yield* new Forbidden({ message: "user_id: does not match the id_token's subject" });
  }
  const userId = identity.subject;

  const publicId = encodeBytes(yield* ids.randomBytes(PUBLIC_ID_BYTES));
  const secret = encodeBytes(yield* ids.randomBytes(SECRET_BYTES));
  // Read before writing: a revoke-all that lands between this read and the insert revokes this session too.
  const generation = yield* store.revokedGeneration(userId);
  const session: StoredSession = {
    id: publicId,
    userId,
    provider: identity.provider,
    device: input.device,
    secretHash: yield* hasher.sha256(secretBytes(secret)),
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + policy.absoluteTimeoutSeconds * 1000),
    revokedAt: undefined,
    generation,
  };
  yield* store.insert(session, policy);
  yield* evictOverCap(session, now);
  return {
    token: formatToken(publicId, secret),
    session,
    idleExpiresAt: idleExpiryOf(session, policy),
  } satisfies CreatedSession;
});

/**
 * Revokes the oldest live sessions beyond the cap, keeping the one just created. The listing comes from an index
 * that may lag by a moment, so two sign-ins in the same instant can briefly leave one session over the cap; the
 * next sign-in evicts it.
 */
const evictOverCap = Effect.fn("Sessions.evictOverCap")(function* (created: StoredSession, now: Date) {
  const store = yield* SessionStore;
  const policy = yield* SessionPolicy;
  const userId = created.userId;
  const others = (yield* store.listByUser(userId))
    .filter((s) => s.id !== created.id && invalidityOf(s, now, policy, created.generation) === undefined)
    .sort(newestFirst);
  const excess = others.slice(policy.maxSessionsPerUser - 1);
  yield* Effect.forEach(excess, (s) => store.revoke(s.id, userId, now), { concurrency: 4, discard: true });
});
