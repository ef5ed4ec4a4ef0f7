import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type { StoredSession } from "../../core/sessions/model.ts";
import { SessionStore } from "../../core/sessions/SessionStore.ts";
import { Conflict } from "../../core/shared/errors.ts";

type Store = typeof SessionStore.Service;

/**
 * Sessions in a Map, for core tests and demos. Behaves like the DynamoDB adapter (same contract suite), except
 * that its listing is never stale; `staleListing` makes it pretend the index has not caught up yet.
 */
export const makeMemorySessionStore = (options: { staleListing?: () => boolean } = {}) => {
  const sessions = new Map<string, StoredSession>();
  const generations = new Map<string, number>();
  const store: Store = {
    insert: (session) =>
      Effect.suspend(() => {
        if (sessions.has(session.id)) return Effect.fail(new Conflict({ message: `session ${session.id} exists` }));
        sessions.set(session.id, { ...session, secretHash: session.secretHash.slice() });
        return Effect.void;
      }),
    get: (id) => Effect.sync(() => sessions.get(id)),
    touch: ({ id }, lastSeenAt) =>
      Effect.sync(() => {
        const session = sessions.get(id);
        if (session && session.revokedAt === undefined && session.lastSeenAt < lastSeenAt) {
          sessions.set(id, { ...session, lastSeenAt });
        }
      }),
    listByUser: (userId) =>
      Effect.sync(() =>
        options.staleListing?.()
          ? []
          : [...sessions.values()]
              .filter((s) => s.userId === userId)
              .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime()),
      ),
    revoke: (id, userId, at) =>
      Effect.sync(() => {
        const session = sessions.get(id);
        if (!session || session.userId !== userId || session.revokedAt !== undefined) return false;
        sessions.set(id, { ...session, revokedAt: at });
        return true;
      }),
    revokedGeneration: (userId) => Effect.sync(() => generations.get(userId) ?? 0),
    bumpRevokedGeneration: (userId) =>
      Effect.sync(() => {
        const next = (generations.get(userId) ?? 0) + 1;
        generations.set(userId, next);
        return next;
      }),
    ping: Effect.void,
  };
  return { store, sessions, layer: Layer.succeed(SessionStore, store) };
};

/** A fresh, empty memory store as a layer. */
export const memorySessionStore = (): Layer.Layer<SessionStore> => makeMemorySessionStore().layer;
