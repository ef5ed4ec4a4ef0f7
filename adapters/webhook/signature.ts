import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/**
 * Standard Webhooks (https://www.standardwebhooks.com), symmetric scheme: the secret is `whsec_<base64 key>`, the
 * signed content is `${webhook-id}.${webhook-timestamp}.${body}`, and `webhook-signature` holds one or more
 * space-separated `v1,<base64 HMAC-SHA256>` entries (several while a secret is being rotated).
 */

const PREFIX = "whsec_";
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The HMAC key of a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries). */
const keyOf = (secret: string): Buffer => {
  const encoded = secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret;
  if (!BASE64.test(encoded) || encoded.length % 4 !== 0) throw new Error("webhook secret is not whsec_<base64>");
  return Buffer.from(encoded, "base64");
};

const hmac = (key: Buffer, id: string, timestampSeconds: number | string, body: string): Buffer =>
  createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest();

/** A new secret: 32 random bytes (the spec asks for 24 to 64). */
export const newWebhookSecret = (): string => `${PREFIX}${randomBytes(32).toString("base64")}`;

/** The `webhook-signature` header value. Throws only on a malformed secret (a configuration error). */
export const signWebhook = (input: { secret: string; id: string; timestampSeconds: number; body: string }): string =>
  `v1,${hmac(keyOf(input.secret), input.id, Math.floor(input.timestampSeconds), input.body).toString("base64")}`;

export type VerifyResult = { ok: true } | { ok: false; reason: string };

const fail = (reason: string): VerifyResult => ({ ok: false, reason });

export const verifyWebhook = (input: {
  secret: string;
  headers: Record<string, string | undefined>;
  body: string;
  nowSeconds: number;
  toleranceSeconds?: number;
}): VerifyResult => {
  const id = input.headers["webhook-id"];
  const timestamp = input.headers["webhook-timestamp"];
  const signatures = input.headers["webhook-signature"];
  if (!id) return fail("missing webhook-id header");
  if (!timestamp) return fail("missing webhook-timestamp header");
  if (!signatures) return fail("missing webhook-signature header");
  if (!/^\d{1,15}$/.test(timestamp)) return fail("webhook-timestamp is not integer seconds");

  // Replay protection: a captured request is only good within the tolerance, in both directions.
  const tolerance = input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  const skew = input.nowSeconds - Number(timestamp);
  if (skew > tolerance) return fail("webhook-timestamp too old");
  if (skew < -tolerance) return fail("webhook-timestamp too far in the future");

  let key: Buffer;
  try {
    key = keyOf(input.secret);
  } catch {
    return fail("invalid webhook secret");
  }
  const expected = hmac(key, id, timestamp, input.body);
  for (const entry of signatures.split(" ")) {
    const comma = entry.indexOf(",");
    if (comma < 0 || entry.slice(0, comma) !== "v1") continue;
    const candidate = Buffer.from(entry.slice(comma + 1), "base64");
    if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) return { ok: true };
  }
  return fail("no matching v1 signature");
};
