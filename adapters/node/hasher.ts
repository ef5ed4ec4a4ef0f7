import { createHash } from "node:crypto";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { SecretHasher } from "../../core/sessions/SecretHasher.ts";

/** SHA-256 through OpenSSL: synchronous and a few microseconds for a session secret. */
export const nodeSecretHasher: Layer.Layer<SecretHasher> = Layer.succeed(SecretHasher, {
  sha256: (data) => Effect.sync(() => new Uint8Array(createHash("sha256").update(data).digest())),
});
