import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { sequentialIds } from "../../adapters/memory/ids.ts";
import { makeMemorySessionStore } from "../../adapters/memory/sessions.ts";
import { nodeSecretHasher } from "../../adapters/node/hasher.ts";
import { Unauthenticated } from "../shared/errors.ts";
import { Authenticator } from "./Authenticator.ts";
import { constantTimeEqual } from "./constantTime.ts";
import { createSession } from "./create.ts";
import { IdentityVerifier } from "./IdentityVerifier.ts";
import { listSessions, revokeAllSessions, revokeSession } from "./manage.ts";
import { defaultSessionPolicy, parseToken, type SessionPolicyValues } from "./model.ts";
import { sessionAuthenticator } from "./SessionAuthenticator.ts";
import { sessionPolicyLayer } from "./SessionPolicy.ts";
import { validateSession } from "./validate.ts";

// Wraps the real compare in a spy, so a test can prove validate goes through it (and not through `===`).
vi.mock("./constantTime.ts", async (importOriginal) => {
  const original = await importOriginal<typeof import("./constantTime.ts")>();
  return { constantTimeEqual: vi.fn(original.constantTimeEqual) };
});

const MINUTE = 60_000;
const policy: SessionPolicyValues = {
  idleTimeoutSeconds: 3600,
  absoluteTimeoutSeconds: 8 * 3600,
  touchIntervalSeconds: 300,
  maxSessionsPerUser: 3,
};

/** ID tokens of this fake provider are `ok:<sub>`; anything else is refused. */
const fakeVerifier = Layer.succeed(IdentityVerifier, {
  verify: ({ provider, idToken }) =>
    idToken.startsWith("ok:")
      ? Effect.succeed({ provider, subject: idToken.slice(3) })
      : Effect.fail(new Unauthenticated({ reason: "not created: id_token rejected" })),
});

let clock: SettableClock;
let memory: ReturnType<typeof makeMemorySessionStore>;
let stale = false;
// biome-ignore lint/suspicious/noExplicitAny: the layer below provides every service the use cases need
let run: <A, E>(effect: Effect.Effect<A, E, any>) => Promise<A>;

beforeEach(() => {
  clock = new SettableClock("2026-11-23T10:00:00Z");
  stale = false;
  memory = makeMemorySessionStore({ staleListing: () => stale });
  const base = Layer.mergeAll(
    memory.layer,
    clock.layer,
    sequentialIds(7),
    nodeSecretHasher,
    sessionPolicyLayer(policy),
  );
  const layer = Layer.mergeAll(base, fakeVerifier, Layer.provide(sessionAuthenticator, base));
  run = <A, E>(effect: Effect.Effect<A, E, unknown>) =>
    Effect.runPromise(Effect.provide(effect, layer) as Effect.Effect<A, E, never>);
});

const signIn = (sub = "alice", device?: string) =>
  run(createSession({ provider: "local", idToken: `ok:${sub}`, device }));
const validate = (token: string) => run(validateSession(token));

describe("create and validate", () => {
  it("issues <public_id>.<secret> with a 256-bit secret and stores only its hash", async () => {
    const created = await signIn("alice", "iPhone");
    const parsed = parseToken(created.token);
    expect(parsed?.secret).toHaveLength(43);
    const stored = memory.sessions.get(parsed?.publicId ?? "");
    expect(stored?.secretHash).toHaveLength(32);
    expect(JSON.stringify({ ...stored, secretHash: [...(stored?.secretHash ?? [])] })).not.toContain(parsed?.secret);
    expect(stored).toMatchObject({ userId: "alice", provider: "local", device: "iPhone" });
    const result = await validate(created.token);
    expect(result).toMatchObject({ valid: true, session: { userId: "alice" } });
  });

  it("refuses a body user_id that is not the verified subject", async () => {
    const error = await run(Effect.flip(createSession({ provider: "local", idToken: "ok:alice", userId: "mallory" })));
    expect(error._tag).toBe("Forbidden");
  });

  it.each(["", "nodot", "a.b", `${"x".repeat(16)}.${"y".repeat(42)}`])("calls %j unknown", async (token) => {
    expect(await validate(token)).toEqual({ valid: false, reason: "unknown" });
  });

  it("calls a right id with a wrong secret unknown, comparing hashes in constant time", async () => {
    const { token } = await signIn();
    const compare = vi.mocked(constantTimeEqual);
    compare.mockClear();
    const forged = `${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`;
    expect(await validate(forged)).toEqual({ valid: false, reason: "unknown" });
    expect(compare).toHaveBeenCalledTimes(1);
    expect(compare.mock.results[0]?.value).toBe(false);
    await validate(token);
    expect(compare).toHaveBeenCalledTimes(2);
    expect(compare.mock.results[1]?.value).toBe(true);
  });
});

describe("expiry", () => {
  it("expires after the idle timeout without use", async () => {
    const { token } = await signIn();
    clock.advance(59 * MINUTE);
    expect((await validate(token)).valid).toBe(true);
    clock.advance(60 * MINUTE);
    expect(await validate(token)).toEqual({ valid: false, reason: "expired" });
  });

  it("slides the idle expiry, but writes last_seen at most once per touch interval", async () => {
    const created = await signIn();
    const id = parseToken(created.token)?.publicId ?? "";
    const start = clock.now().getTime();
    clock.advance(4 * MINUTE);
    await validate(created.token);
    expect(memory.sessions.get(id)?.lastSeenAt.getTime()).toBe(start);
    clock.advance(MINUTE);
    const touched = await validate(created.token);
    expect(memory.sessions.get(id)?.lastSeenAt.getTime()).toBe(start + 5 * MINUTE);
    expect(touched.valid && touched.idleExpiresAt.getTime()).toBe(start + 65 * MINUTE);
    // start + 64 min: past the unslid idle expiry (start + 60), inside the slid one.
    clock.advance(59 * MINUTE);
    expect((await validate(created.token)).valid).toBe(true);
  });

  it("expires at the absolute timeout however active the session is", async () => {
    const { token } = await signIn();
    for (let minutes = 30; minutes < 8 * 60; minutes += 30) {
      clock.advance(30 * MINUTE);
      expect((await validate(token)).valid).toBe(true);
    }
    clock.advance(30 * MINUTE);
    expect(await validate(token)).toEqual({ valid: false, reason: "expired" });
  });

  it("lists only live sessions", async () => {
    await signIn();
    clock.advance(2 * 3600_000);
    const fresh = await signIn();
    const listed = await run(listSessions("alice"));
    expect(listed.map((s) => s.id)).toEqual([parseToken(fresh.token)?.publicId]);
  });
});

describe("cap and revocation", () => {
  it("evicts the oldest live sessions past the per-user cap", async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 5; i++) {
      tokens.push((await signIn("alice", `device-${i}`)).token);
      clock.advance(MINUTE);
    }
    await signIn("bob");
    const listed = await run(listSessions("alice"));
    expect(listed.map((s) => s.device)).toEqual(["device-4", "device-3", "device-2"]);
    expect(await validate(tokens[0] ?? "")).toEqual({ valid: false, reason: "revoked" });
    expect(await validate(tokens[1] ?? "")).toEqual({ valid: false, reason: "revoked" });
    expect((await validate(tokens[4] ?? "")).valid).toBe(true);
  });

  it("revokes one session of the caller's, and answers NotFound for someone else's", async () => {
    const alice = await signIn("alice");
    const bob = await signIn("bob");
    const aliceId = parseToken(alice.token)?.publicId ?? "";
    const error = await run(Effect.flip(revokeSession("bob", aliceId)));
    expect(error._tag).toBe("NotFound");
    expect((await validate(alice.token)).valid).toBe(true);
    await run(revokeSession("alice", aliceId));
    expect(await validate(alice.token)).toEqual({ valid: false, reason: "revoked" });
    expect((await validate(bob.token)).valid).toBe(true);
  });

  it("revokes all sessions even when the per-user index has not caught up", async () => {
    const first = await signIn("alice");
    const second = await signIn("alice");
    const bob = await signIn("bob");
    stale = true;
    expect(await run(revokeAllSessions("alice"))).toEqual({ revoked: 0 });
    expect(await validate(first.token)).toEqual({ valid: false, reason: "revoked" });
    expect(await validate(second.token)).toEqual({ valid: false, reason: "revoked" });
    expect((await validate(bob.token)).valid).toBe(true);
    const after = await signIn("alice");
    expect((await validate(after.token)).valid).toBe(true);
  });

  it("counts the live sessions revoke-all revoked", async () => {
    await signIn("alice");
    await signIn("alice");
    expect(await run(revokeAllSessions("alice"))).toEqual({ revoked: 2 });
    expect(await run(listSessions("alice"))).toEqual([]);
  });
});

describe("the Authenticator built on validate", () => {
  it("names the user of a valid token and refuses a revoked one", async () => {
    const { token } = await signIn("carol");
    const authenticate = (t: string) =>
      Effect.gen(function* () {
        return yield* (yield* Authenticator).authenticate(t);
      });
    expect(await run(authenticate(token))).toMatchObject({ userId: "carol" });
    await run(revokeAllSessions("carol"));
    const error = await run(Effect.flip(authenticate(token)));
    expect(error).toMatchObject({ _tag: "Unauthenticated", reason: "revoked" });
  });
});

describe("constantTimeEqual", () => {
  it.each([
    [[1, 2, 3], [1, 2, 3], true],
    [[1, 2, 3], [1, 2, 4], false],
    [[1, 2, 3], [1, 2], false],
    [[], [], true],
    [[0], [], false],
  ])("%j vs %j is %s", (a, b, expected) => {
    expect(constantTimeEqual(Uint8Array.from(a), Uint8Array.from(b))).toBe(expected);
  });

  it("keeps the defaults of the brief", () => {
    expect(defaultSessionPolicy).toEqual({
      idleTimeoutSeconds: 604800,
      absoluteTimeoutSeconds: 2592000,
      touchIntervalSeconds: 300,
      maxSessionsPerUser: 10,
    });
  });
});
