import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";

/**
 * Identifiers and secrets. Use cases never call `crypto` themselves so tests can make both predictable.
 */
export class Ids extends Context.Service<
  Ids,
  {
    /** A new unique identifier, time-ordered (UUIDv7) so rows created together sort together. */
    readonly newId: Effect.Effect<string>;
    /** `size` bytes from a cryptographically secure generator (tokens, secrets). */
    readonly randomBytes: (size: number) => Effect.Effect<Uint8Array>;
  }
>()("core/shared/Ids") {}
