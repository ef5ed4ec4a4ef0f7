import { describe, expect, it } from "vitest";
import { newWebhookSecret, signWebhook, verifyWebhook } from "./signature.ts";

// The signing vector of the Standard Webhooks reference libraries (libraries/javascript/src/webhook.test.ts).
const VECTOR = {
  secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
  id: "msg_p5jXN8AQM9LWM0D4loKWxJek",
  timestampSeconds: 1614265330,
  body: '{"test": 2432232314}',
  signature: "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
};

const headersFor = (signature: string, timestamp = VECTOR.timestampSeconds) => ({
  "webhook-id": VECTOR.id,
  "webhook-timestamp": String(timestamp),
  "webhook-signature": signature,
});

const verify = (overrides: Partial<Parameters<typeof verifyWebhook>[0]> = {}) =>
  verifyWebhook({
    secret: VECTOR.secret,
    headers: headersFor(VECTOR.signature),
    body: VECTOR.body,
    nowSeconds: VECTOR.timestampSeconds + 10,
    ...overrides,
  });

describe("signWebhook", () => {
  it("matches the Standard Webhooks reference vector", () => {
    expect(signWebhook(VECTOR)).toBe(VECTOR.signature);
  });

  it("accepts the bare base64 key as the reference libraries do", () => {
    expect(signWebhook({ ...VECTOR, secret: VECTOR.secret.slice("whsec_".length) })).toBe(VECTOR.signature);
  });

  it("refuses a secret that is not base64", () => {
    expect(() => signWebhook({ ...VECTOR, secret: "whsec_not base64!" })).toThrow(/whsec_/);
  });
});

describe("verifyWebhook", () => {
  it("accepts the reference vector within the tolerance", () => {
    expect(verify()).toEqual({ ok: true });
    expect(verify({ nowSeconds: VECTOR.timestampSeconds + 300 })).toEqual({ ok: true });
  });

  it("rejects a tampered body, a wrong secret, and a signature of another id", () => {
    expect(verify({ body: '{"test": 2432232315}' })).toEqual({ ok: false, reason: "no matching v1 signature" });
    expect(verify({ secret: newWebhookSecret() })).toEqual({ ok: false, reason: "no matching v1 signature" });
    const otherId = signWebhook({ ...VECTOR, id: "msg_other" });
    expect(verify({ headers: headersFor(otherId) }).ok).toBe(false);
  });

  it("rejects timestamps outside the tolerance in both directions, and honours a custom tolerance", () => {
    expect(verify({ nowSeconds: VECTOR.timestampSeconds + 301 })).toEqual({
      ok: false,
      reason: "webhook-timestamp too old",
    });
    expect(verify({ nowSeconds: VECTOR.timestampSeconds - 301 })).toEqual({
      ok: false,
      reason: "webhook-timestamp too far in the future",
    });
    expect(verify({ nowSeconds: VECTOR.timestampSeconds + 20, toleranceSeconds: 15 }).ok).toBe(false);
  });

  it("names each missing or malformed header", () => {
    const { "webhook-id": _id, ...noId } = headersFor(VECTOR.signature);
    const { "webhook-timestamp": _ts, ...noTimestamp } = headersFor(VECTOR.signature);
    const { "webhook-signature": _sig, ...noSignature } = headersFor(VECTOR.signature);
    expect(verify({ headers: noId })).toEqual({ ok: false, reason: "missing webhook-id header" });
    expect(verify({ headers: noTimestamp })).toEqual({ ok: false, reason: "missing webhook-timestamp header" });
    expect(verify({ headers: noSignature })).toEqual({ ok: false, reason: "missing webhook-signature header" });
    const hello = { ...headersFor(VECTOR.signature), "webhook-timestamp": "hello" };
    expect(verify({ headers: hello })).toEqual({ ok: false, reason: "webhook-timestamp is not integer seconds" });
  });

  it("accepts any one matching signature among several, ignoring other versions", () => {
    const bogus = "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=";
    const several = [bogus, VECTOR.signature.replace("v1,", "v2,"), VECTOR.signature, bogus].join(" ");
    expect(verify({ headers: headersFor(several) })).toEqual({ ok: true });
    // The right bytes under another version label are not a v1 signature.
    expect(verify({ headers: headersFor(VECTOR.signature.replace("v1,", "v2,")) }).ok).toBe(false);
  });

  it("rejects truncated and empty signatures", () => {
    expect(verify({ headers: headersFor(VECTOR.signature.slice(0, 8)) }).ok).toBe(false);
    expect(verify({ headers: headersFor("v1,") }).ok).toBe(false);
    expect(verify({ headers: headersFor("garbage") }).ok).toBe(false);
  });

  it("reports a malformed secret instead of throwing", () => {
    expect(verify({ secret: "whsec_%%%" })).toEqual({ ok: false, reason: "invalid webhook secret" });
  });
});

describe("newWebhookSecret", () => {
  it("makes distinct whsec_ secrets of 32 random bytes that sign and verify", () => {
    const a = newWebhookSecret();
    const b = newWebhookSecret();
    expect(a).not.toBe(b);
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]+={0,2}$/);
    expect(Buffer.from(a.slice(6), "base64")).toHaveLength(32);
    const signature = signWebhook({ secret: a, id: "d1", timestampSeconds: 1_700_000_000, body: "{}" });
    const headers = { "webhook-id": "d1", "webhook-timestamp": "1700000000", "webhook-signature": signature };
    expect(verifyWebhook({ secret: a, headers, body: "{}", nowSeconds: 1_700_000_000 })).toEqual({ ok: true });
  });
});
