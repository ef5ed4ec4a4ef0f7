import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";

/**
 * SHA-256 of a session secret. A port because core stays free of `node:crypto`; the node adapter digests with
 * OpenSSL. A fast hash is right here: the secret is 256 random bits, so there is nothing to brute-force.
 */
export class SecretHasher extends Context.Service<
  SecretHasher,
  {
    readonly sha256: (data: Uint8Array) => Effect.Effect<Uint8Array>;
  }
>()("core/sessions/SecretHasher") {}
