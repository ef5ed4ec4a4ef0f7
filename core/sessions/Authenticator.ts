import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";
import type { DependencyUnavailable, Unauthenticated } from "../shared/errors.ts";

/** Who is calling, once a bearer session token has been validated. */
export interface AuthenticatedUser {
  readonly userId: string;
  /** The session's public id (the part of the token before the dot), never the secret. */
  readonly sessionId: string;
}

/**
 * The port other contexts use to learn who is calling: matching depends on this, not on how sessions are stored.
 * The sessions context provides it from its own validate use case; core tests use a memory adapter.
 */
export class Authenticator extends Context.Service<
  Authenticator,
  {
    readonly authenticate: (token: string) => Effect.Effect<AuthenticatedUser, Unauthenticated | DependencyUnavailable>;
  }
>()("core/sessions/Authenticator") {}
