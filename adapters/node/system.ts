import { randomBytes } from "node:crypto";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { Clock } from "../../core/shared/Clock.ts";
import { Ids } from "../../core/shared/Ids.ts";

/** The wall clock, as Lambda sees it. */
export const systemClock: Layer.Layer<Clock> = Layer.succeed(Clock, { now: Effect.sync(() => new Date()) });

/** UUIDv7 (RFC 9562): 48-bit millisecond timestamp, version and variant bits, the rest random. */
export const uuidv7 = (now = Date.now()): string => {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

/** Ids from node:crypto: UUIDv7 identifiers and CSPRNG bytes. */
export const cryptoIds: Layer.Layer<Ids> = Layer.succeed(Ids, {
  newId: Effect.sync(() => uuidv7()),
  randomBytes: (size) => Effect.sync(() => new Uint8Array(randomBytes(size))),
});
