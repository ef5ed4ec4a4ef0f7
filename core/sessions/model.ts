import * as Base64Url from "effect/encoding/Base64Url";
import * as Schema from "effect/Schema";

/**
 * The sessions domain: what a session is, the stack's timeouts, and the token format `<public_id>.<secret>`.
 * The public id names the session (listed, revoked by id); the secret proves possession and is never stored,
 * only its SHA-256.
 */

/** Bytes of the public id (96 bits: unique without coordination) and of the secret (256 bits, > the 128 required). */
export const PUBLIC_ID_BYTES = 12;
export const SECRET_BYTES = 32;

const PUBLIC_ID_LENGTH = Math.ceil((PUBLIC_ID_BYTES * 4) / 3);
const SECRET_LENGTH = Math.ceil((SECRET_BYTES * 4) / 3);
const TOKEN = new RegExp(`^([A-Za-z0-9_-]{${PUBLIC_ID_LENGTH}})\\.([A-Za-z0-9_-]{${SECRET_LENGTH}})$`);
const PUBLIC_ID = new RegExp(`^[A-Za-z0-9_-]{${PUBLIC_ID_LENGTH}}$`);

export interface ParsedToken {
  readonly publicId: string;
  readonly secret: string;
}

/** Splits a token; `undefined` for anything that is not exactly `<public_id>.<secret>` as issued. */
export const parseToken = (token: string): ParsedToken | undefined => {
  const match = TOKEN.exec(token);
  return match ? { publicId: match[1] as string, secret: match[2] as string } : undefined;
};

export const isPublicId = (value: string): boolean => PUBLIC_ID.test(value);

export const formatToken = (publicId: string, secret: string): string => `${publicId}.${secret}`;

export const encodeBytes = (bytes: Uint8Array): string => Base64Url.encode(bytes);

/** UTF-8 of the secret text: what the hasher digests (the token's text is what the client holds). */
export const secretBytes = (secret: string): Uint8Array => new TextEncoder().encode(secret);

/** A session as stored. `secretHash` is SHA-256 of the secret; the secret itself exists only in the client's token. */
export interface StoredSession {
  readonly id: string;
  readonly userId: string;
  readonly provider: string;
  readonly device: string | undefined;
  readonly secretHash: Uint8Array;
  readonly createdAt: Date;
  readonly lastSeenAt: Date;
  /** The absolute expiry: created + absolute timeout, never moved. */
  readonly expiresAt: Date;
  readonly revokedAt: Date | undefined;
  /** The user's revoke-all generation when the session was created; a later revoke-all makes it stale. */
  readonly generation: number;
}

/** Newest first; equal instants by id, so every adapter lists in the same order. */
export const newestFirst = (a: StoredSession, b: StoredSession): number =>
  b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

const Seconds = (max: number) => Schema.Int.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(max));
const YEAR = 366 * 24 * 3600;

/** The stack's session policy (`SESSION_POLICY`); every field optional, defaults below. */
export const SessionPolicyFields = Schema.Struct({
  idleTimeoutSeconds: Schema.optionalKey(Seconds(YEAR)),
  absoluteTimeoutSeconds: Schema.optionalKey(Seconds(YEAR)),
  /** Sliding expiry writes `last_seen_at` at most this often, so reads stay reads. */
  touchIntervalSeconds: Schema.optionalKey(Seconds(24 * 3600)),
  maxSessionsPerUser: Schema.optionalKey(
    Schema.Int.check(Schema.isGreaterThanOrEqualTo(1), Schema.isLessThanOrEqualTo(1000)),
  ),
});

export interface SessionPolicyValues {
  readonly idleTimeoutSeconds: number;
  readonly absoluteTimeoutSeconds: number;
  readonly touchIntervalSeconds: number;
  readonly maxSessionsPerUser: number;
}

export const defaultSessionPolicy: SessionPolicyValues = {
  idleTimeoutSeconds: 7 * 24 * 3600,
  absoluteTimeoutSeconds: 30 * 24 * 3600,
  touchIntervalSeconds: 300,
  maxSessionsPerUser: 10,
};

export const withPolicyDefaults = (overrides: typeof SessionPolicyFields.Type): SessionPolicyValues => ({
  ...defaultSessionPolicy,
  ...overrides,
});

const SECOND = 1000;

/** When the session dies of inactivity: last seen + idle timeout, never past the absolute expiry. */
export const idleExpiryOf = (session: StoredSession, policy: SessionPolicyValues): Date =>
  new Date(Math.min(session.lastSeenAt.getTime() + policy.idleTimeoutSeconds * SECOND, session.expiresAt.getTime()));

export type Invalidity = "expired" | "revoked" | "unknown";

/**
 * Why a stored session is not usable now, or `undefined` when it is. Checked in code on every read: TTL deletes
 * lazily, so the store may still hold expired items.
 */
export const invalidityOf = (
  session: StoredSession,
  now: Date,
  policy: SessionPolicyValues,
  revokedGeneration: number,
): Invalidity | undefined => {
  if (session.revokedAt !== undefined || session.generation < revokedGeneration) return "revoked";
  if (now.getTime() >= idleExpiryOf(session, policy).getTime()) return "expired";
  return undefined;
};

/** True when `last_seen_at` is old enough to be worth a write. */
export const needsTouch = (session: StoredSession, now: Date, policy: SessionPolicyValues): boolean =>
  now.getTime() - session.lastSeenAt.getTime() >= policy.touchIntervalSeconds * SECOND;
