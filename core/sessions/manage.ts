import * as Effect from "effect/Effect";
import { Clock } from "../shared/Clock.ts";
import { NotFound } from "../shared/errors.ts";
import { invalidityOf, isPublicId, newestFirst } from "./model.ts";
import { SessionPolicy } from "./SessionPolicy.ts";
import { SessionStore } from "./SessionStore.ts";

/** The user's live sessions (neither expired nor revoked), newest first. */
export const listSessions = Effect.fn("Sessions.list")(function* (userId: string) {
  const store = yield* SessionStore;
  const policy = yield* SessionPolicy;
  const now = yield* (yield* Clock).now;
  const generation = yield* store.revokedGeneration(userId);
  const sessions = yield* store.listByUser(userId);
  return sessions.filter((s) => invalidityOf(s, now, policy, generation) === undefined).sort(newestFirst);
});

/**
 * Revokes one of the caller's sessions. Another user's session id is `NotFound`, exactly like an unknown one,
 * so ids cannot be probed. Revoking an already revoked session of one's own is a no-op.
 */
export const revokeSession = Effect.fn("Sessions.revoke")(function* (userId: string, sessionId: string) {
  const store = yield* SessionStore;
  const now = yield* (yield* Clock).now;
  // Anything not shaped like an issued id is unknown without asking the store (which refuses oversized keys).
  const session = isPublicId(sessionId) ? yield* store.get(sessionId) : undefined;
  if (!session || session.userId !== userId) {
    return yield* new NotFound({ resource: "session", id: sessionId });
  }
  yield* store.revoke(sessionId, userId, now);
});

/**
 * Logs the user out everywhere. The generation bump comes first and alone suffices: validate compares every
 * session's generation with it, so sessions a lagging index does not list yet are revoked all the same. The
 * listed live ones are then flagged one by one (so listings agree) and counted.
 */
export const revokeAllSessions = Effect.fn("Sessions.revokeAll")(function* (userId: string) {
  const store = yield* SessionStore;
  const policy = yield* SessionPolicy;
  const now = yield* (yield* Clock).now;
  const before = yield* store.revokedGeneration(userId);
  const listed = yield* store.listByUser(userId);
  yield* store.bumpRevokedGeneration(userId, now);
  const live = listed.filter((s) => invalidityOf(s, now, policy, before) === undefined);
  const revoked = yield* Effect.forEach(live, (s) => store.revoke(s.id, userId, now), { concurrency: 4 });
  return { revoked: revoked.filter(Boolean).length };
});
