import { createHmac } from "node:crypto";
import * as Effect from "effect/Effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalIdentityProvider, startLocalIdentityProvider } from "./testing.ts";
import { jwksUrlProblem, makeOidcVerifier } from "./verifier.ts";

let idp: LocalIdentityProvider;
let verifier: ReturnType<typeof makeOidcVerifier>;
const now = () => new Date();
const seconds = () => Math.floor(Date.now() / 1000);
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

beforeAll(async () => {
  idp = await startLocalIdentityProvider();
  verifier = makeOidcVerifier({ local: idp }, { cooldownMs: 0 });
});
afterAll(() => idp.stop());

const outcome = async (idToken: string, at = now()) => {
  const result = await Effect.runPromise(
    verifier.verify({ provider: "local", idToken, now: at }).pipe(
      Effect.map((identity) => ({ ok: identity.subject })),
      Effect.catch((error) => Effect.succeed({ error: error._tag, reason: "reason" in error ? error.reason : "" })),
    ),
  );
  return result as { ok?: string; error?: string; reason?: string };
};

describe("OIDC ID token verification", () => {
  it.each(["RS256", "ES256"] as const)("accepts a %s token from the provider and names its subject", async (alg) => {
    expect(await outcome(await idp.sign({ sub: "user-1" }, { alg }))).toEqual({ ok: "user-1" });
  });

  it("fetches the JWKS once and reuses it", async () => {
    const before = idp.fetches();
    for (let i = 0; i < 3; i++) await outcome(await idp.sign({ sub: "cached" }));
    expect(idp.fetches()).toBe(before);
  });

  it("tolerates small clock skew and nothing more", async () => {
    const token = await idp.sign({ sub: "skew" }, { iat: seconds() - 600, ttl: 590 }); // expired 10 s ago
    expect(await outcome(token)).toEqual({ ok: "skew" });
    const late = new Date(Date.now() + 60_000);
    expect(await outcome(token, late)).toMatchObject({
      error: "Unauthenticated",
      reason: expect.stringMatching(/expired/),
    });
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ["an expired token", () => idp.sign({ sub: "u" }, { iat: seconds() - 3600, ttl: 600 }), /expired/],
    ["a token not yet valid", () => idp.sign({ sub: "u", nbf: seconds() + 600 }), /nbf/],
    ["a wrong audience", () => idp.sign({ sub: "u" }, { audience: "someone-else" }), /aud/],
    ["a wrong issuer", () => idp.sign({ sub: "u" }, { issuer: "https://evil.example" }), /iss/],
    ["no subject", () => idp.sign({}), /sub/],
    [
      "alg none",
      async () =>
        `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub: "u", iss: idp.issuer, aud: idp.audience, exp: seconds() + 600, iat: seconds() })}.`,
      /algorithm/,
    ],
    [
      "HS256 keyed with the provider's public key",
      async () => {
        const jwks = (await (await fetch(idp.jwksUrl)).json()) as { keys: Array<{ kid: string; n?: string }> };
        const rsa = jwks.keys.find((k) => k.n) as { kid: string; n: string };
        const head = `${b64({ alg: "HS256", kid: rsa.kid })}.${b64({ sub: "u", iss: idp.issuer, aud: idp.audience, exp: seconds() + 600, iat: seconds() })}`;
        return `${head}.${createHmac("sha256", JSON.stringify(rsa)).update(head).digest("base64url")}`;
      },
      /algorithm/,
    ],
    [
      "a tampered payload",
      async () => {
        const [h, , s] = (await idp.sign({ sub: "u" })).split(".");
        return `${h}.${b64({ sub: "admin", iss: idp.issuer, aud: idp.audience, exp: seconds() + 600, iat: seconds() })}.${s}`;
      },
      /signature/,
    ],
    ["garbage", async () => "not-a-jwt", /malformed/],
    ["an iat beyond the clock skew", () => idp.sign({ sub: "u" }, { iat: seconds() + 600 }), /iat claim in the future/],
    [
      "an exp in ten years",
      () => idp.sign({ sub: "u" }, { ttl: 10 * 366 * 86_400 }),
      /exp claim more than 86400 s ahead/,
    ],
    ["a sub with a NUL", () => idp.sign({ sub: "ada\u0000" }), /sub claim rejected: contains a NUL character/],
    [
      "a sub with a lone surrogate",
      () => idp.sign({ sub: "ada\ud800" }),
      /sub claim rejected: contains a lone surrogate/,
    ],
    ["a sub with an ANSI escape", () => idp.sign({ sub: "\u001b[31mada" }), /sub claim rejected: contains a control/],
    [
      "a sub with a bidi override",
      () => idp.sign({ sub: "ada\u202e" }),
      /sub claim rejected: contains a bidirectional/,
    ],
    ["a sub over 255 characters", () => idp.sign({ sub: "s".repeat(256) }), /sub claim rejected/],
  ])("refuses %s", async (_name, make, reason) => {
    const result = await outcome(await make());
    expect(result).toMatchObject({ error: "Unauthenticated", reason: expect.stringMatching(reason) });
  });

  it("accepts an iat within the clock skew and an exp up to the provider's configured maximum", async () => {
    expect(await outcome(await idp.sign({ sub: "early" }, { iat: seconds() + 20 }))).toEqual({ ok: "early" });
    expect(await outcome(await idp.sign({ sub: "day" }, { ttl: 86_400 }))).toEqual({ ok: "day" });
    const strict = makeOidcVerifier({ local: { ...idp, maxExpiresInSeconds: 3600 } });
    const verify = (idToken: string) =>
      Effect.runPromise(Effect.flip(strict.verify({ provider: "local", idToken, now: now() })));
    expect(await verify(await idp.sign({ sub: "u" }, { ttl: 7200 }))).toMatchObject({
      reason: "not created: id_token exp claim more than 3600 s ahead",
    });
    const hour = await Effect.runPromise(
      strict.verify({ provider: "local", idToken: await idp.sign({ sub: "h" }, { ttl: 3600 }), now: now() }),
    );
    expect(hour.subject).toBe("h");
  });

  it("picks up a rotated key by refetching for an unknown kid", async () => {
    const old = await idp.sign({ sub: "before" });
    await idp.rotate();
    const before = idp.fetches();
    expect(await outcome(await idp.sign({ sub: "after" }))).toEqual({ ok: "after" });
    expect(idp.fetches()).toBe(before + 1);
    expect(await outcome(old)).toMatchObject({
      error: "Unauthenticated",
      reason: expect.stringMatching(/unknown key/),
    });
  });

  it("refuses an unknown provider as a validation failure naming the field", async () => {
    const error = await Effect.runPromise(
      Effect.flip(verifier.verify({ provider: "google", idToken: "x", now: now() })),
    );
    expect(error).toMatchObject({ _tag: "ValidationFailed", details: [{ field: "provider" }] });
  });

  it("reports an unreachable JWKS as the provider being unavailable", async () => {
    const fresh = makeOidcVerifier({ local: idp });
    idp.fail(true);
    try {
      const error = await Effect.runPromise(
        Effect.flip(fresh.verify({ provider: "local", idToken: await idp.sign({ sub: "u" }), now: now() })),
      );
      expect(error).toMatchObject({ _tag: "DependencyUnavailable", dependency: "identity provider local" });
    } finally {
      idp.fail(false);
    }
  });

  it.each([
    ["https://accounts.google.com/jwks", undefined],
    ["http://127.0.0.1:9999/jwks", undefined],
    ["http://localhost/jwks", undefined],
    ["http://evil.example/jwks", "expected an https URL (http only for localhost/127.0.0.1)"],
    ["ftp://x", "expected an https URL (http only for localhost/127.0.0.1)"],
    ["not a url", "expected an absolute URL"],
  ])("judges the JWKS URL %s", (url, problem) => {
    expect(jwksUrlProblem(url)).toBe(problem);
  });
});
