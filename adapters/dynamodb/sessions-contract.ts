import * as Effect from "effect/Effect";
import { beforeEach, describe, expect, it } from "vitest";
import { defaultSessionPolicy, type StoredSession } from "../../core/sessions/model.ts";
import type { SessionStore } from "../../core/sessions/SessionStore.ts";

/**
 * The SessionStore contract, run against every adapter (memory and DynamoDB on dynalite) so core tests on the
 * memory store say something true about production.
 */
type Store = typeof SessionStore.Service;
const policy = defaultSessionPolicy;
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect);

let counter = 0;
const session = (overrides: Partial<StoredSession> = {}): StoredSession => {
  counter += 1;
  const createdAt = new Date(Date.UTC(2026, 10, 23, 10, 0, counter));
  return {
    id: `sess${String(counter).padStart(12, "0")}`,
    userId: "alice",
    provider: "local",
    device: "iPhone",
    secretHash: Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + counter) & 0xff),
    createdAt,
    lastSeenAt: createdAt,
    expiresAt: new Date(createdAt.getTime() + 30 * 86_400_000),
    revokedAt: undefined,
    generation: 0,
    ...overrides,
  };
};

export const sessionStoreContract = (adapter: string, makeStore: () => Promise<Store>): void => {
  describe(`SessionStore contract: ${adapter}`, () => {
    let store: Store;
    let user: string;
    beforeEach(async () => {
      store = await makeStore();
      user = `user-${++counter}@example.com`;
    });

    it("round-trips a session, with and without a device", async () => {
      const withDevice = session({ userId: user });
      const without = session({ userId: user, device: undefined });
      await run(store.insert(withDevice, policy));
      await run(store.insert(without, policy));
      expect(await run(store.get(withDevice.id))).toEqual(withDevice);
      expect(await run(store.get(without.id))).toEqual(without);
      expect(await run(store.get("sess-unknown-id"))).toBeUndefined();
    });

    it("never overwrites: a second insert of the same id is a Conflict", async () => {
      const first = session({ userId: user });
      await run(store.insert(first, policy));
      const error = await run(Effect.flip(store.insert({ ...first, userId: "mallory" }, policy)));
      expect(error._tag).toBe("Conflict");
      expect((await run(store.get(first.id)))?.userId).toBe(user);
    });

    it("touches forward only, and never a revoked session", async () => {
      const s = session({ userId: user });
      await run(store.insert(s, policy));
      const later = new Date(s.createdAt.getTime() + 600_000);
      await run(store.touch(s, later, policy));
      await run(store.touch(s, new Date(s.createdAt.getTime() + 1000), policy));
      expect((await run(store.get(s.id)))?.lastSeenAt).toEqual(later);
      await run(store.revoke(s.id, user, later));
      await run(store.touch(s, new Date(later.getTime() + 600_000), policy));
      expect((await run(store.get(s.id)))?.lastSeenAt).toEqual(later);
    });

    it("lists a user's sessions newest first, revoked ones included, nobody else's", async () => {
      const [a, b, c] = [session({ userId: user }), session({ userId: user }), session({ userId: user })];
      for (const s of [b, a, c]) await run(store.insert(s, policy));
      await run(store.insert(session({ userId: `${user}-other` }), policy));
      await run(store.revoke(b.id, user, new Date()));
      await run(store.bumpRevokedGeneration(user, new Date()));
      const listed = await run(store.listByUser(user));
      expect(listed.map((s) => s.id)).toEqual([c.id, b.id, a.id]);
      expect(listed[1]?.revokedAt).toBeInstanceOf(Date);
      expect(await run(store.listByUser("nobody"))).toEqual([]);
    });

    it("revokes once, only for the owner", async () => {
      const s = session({ userId: user });
      await run(store.insert(s, policy));
      const at = new Date(s.createdAt.getTime() + 1000);
      expect(await run(store.revoke(s.id, "mallory", at))).toBe(false);
      expect(await run(store.revoke("sess-unknown-id", user, at))).toBe(false);
      expect(await run(store.revoke(s.id, user, at))).toBe(true);
      expect(await run(store.revoke(s.id, user, new Date(at.getTime() + 1000)))).toBe(false);
      expect((await run(store.get(s.id)))?.revokedAt).toEqual(at);
    });

    it("keeps a growing revoke-all generation per user", async () => {
      expect(await run(store.revokedGeneration(user))).toBe(0);
      expect(await run(store.bumpRevokedGeneration(user, new Date()))).toBe(1);
      expect(await run(store.bumpRevokedGeneration(user, new Date()))).toBe(2);
      expect(await run(store.revokedGeneration(user))).toBe(2);
      expect(await run(store.revokedGeneration(`${user}-other`))).toBe(0);
    });

    it("answers a health ping", async () => {
      await run(store.ping);
    });
  });
};
