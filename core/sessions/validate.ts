import * as Effect from "effect/Effect";
import { Clock } from "../shared/Clock.ts";
import { constantTimeEqual } from "./constantTime.ts";
import {
  type Invalidity,
  idleExpiryOf,
  invalidityOf,
  needsTouch,
  parseToken,
  type StoredSession,
  secretBytes,
} from "./model.ts";
import { SecretHasher } from "./SecretHasher.ts";
import { SessionPolicy } from "./SessionPolicy.ts";
import { SessionStore } from "./SessionStore.ts";

export type Validation =
  | {
      readonly valid: true;
      readonly session: StoredSession;
      readonly idleExpiresAt: Date;
    }
  | { readonly valid: false; readonly reason: Invalidity };

const invalid = (reason: Invalidity): Validation => ({ valid: false, reason });

/**
 * Checks a bearer token: format, the stored hash (constant-time), revocation (the session's own flag and the
 * user's revoke-all generation, read consistently so a lagging index cannot resurrect anything), idle and
 * absolute expiry. A valid session slides its idle expiry, but `last_seen_at` is written at most once per
 * touch interval so that most validations are reads only.
 */
export const validateSession = Effect.fn("Sessions.validate")(function* (token: string) {
  const parsed = parseToken(token);
  if (!parsed) return invalid("unknown");
  const store = yield* SessionStore;
  const hasher = yield* SecretHasher;
  const policy = yield* SessionPolicy;
  const now = yield* (yield* Clock).now;

  const session = yield* store.get(parsed.publicId);
  // Hash even when the id is unknown, so both paths cost the same.
  const presented = yield* hasher.sha256(secretBytes(parsed.secret));
  if (!session) return invalid("unknown");
  if (!constantTimeEqual(session.secretHash, presented)) return invalid("unknown");

  const generation = yield* store.revokedGeneration(session.userId);
  const reason = invalidityOf(session, now, policy, generation);
  if (reason) return invalid(reason);

  const current = needsTouch(session, now, policy) ? { ...session, lastSeenAt: now } : session;
  if (current !== session) yield* store.touch(session, now, policy);
  const validation: Validation = { valid: true, session: current, idleExpiresAt: idleExpiryOf(current, policy) };
  return validation;
});
