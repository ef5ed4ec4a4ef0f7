import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";
import type { DependencyUnavailable, Unauthenticated, ValidationFailed } from "../shared/errors.ts";

/** Who an identity provider says signed in. */
export interface VerifiedIdentity {
  readonly provider: string;
  /** The ID token's `sub`: the user id. */
  readonly subject: string;
}

/**
 * Proves an OIDC ID token: signature against the provider's keys, allowed algorithms, issuer, audience, expiry.
 * `ValidationFailed` for a provider that is not configured, `Unauthenticated` for a token that does not verify,
 * `DependencyUnavailable` when the provider's keys cannot be fetched.
 */
export class IdentityVerifier extends Context.Service<
  IdentityVerifier,
  {
    readonly verify: (input: {
      readonly provider: string;
      readonly idToken: string;
      /** The use case's clock, so expiry follows the same time as everything else (and the local runtime's). */
      readonly now: Date;
    }) => Effect.Effect<VerifiedIdentity, ValidationFailed | Unauthenticated | DependencyUnavailable>;
  }
>()("core/sessions/IdentityVerifier") {}
