import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { Ids } from "../../core/shared/Ids.ts";

/**
 * Predictable ids and bytes for tests: ids count up (`id-000001`), bytes come from a seeded xorshift generator.
 * Never use outside tests and demos: the bytes are not secret.
 */
export const sequentialIds = (seed = 1, prefix = "id"): Layer.Layer<Ids> => {
  let counter = 0;
  let state = seed >>> 0 || 1;
  const nextByte = (): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state & 0xff;
  };
  return Layer.succeed(Ids, {
    newId: Effect.sync(() => `${prefix}-${String(++counter).padStart(6, "0")}`),
    randomBytes: (size) => Effect.sync(() => Uint8Array.from({ length: size }, nextByte)),
  });
};
