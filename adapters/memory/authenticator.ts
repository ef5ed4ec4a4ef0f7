import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { type AuthenticatedUser, Authenticator } from "../../core/sessions/Authenticator.ts";
import { Unauthenticated } from "../../core/shared/errors.ts";

/**
 * An Authenticator from a fixed table of tokens, for other contexts' core and handler tests: e.g.
 * `memoryAuthenticator({ "token-alice": "alice" })`. Unknown tokens fail exactly as a bad session would.
 */
export const memoryAuthenticator = (tokens: Readonly<Record<string, string>>): Layer.Layer<Authenticator> =>
  Layer.succeed(Authenticator, {
    authenticate: (token) => {
      const userId = Object.hasOwn(tokens, token) ? tokens[token] : undefined;
      return userId === undefined
        ? Effect.fail(new Unauthenticated({ reason: "unknown" }))
        : Effect.succeed<AuthenticatedUser>({ userId, sessionId: `memory-${userId}` });
    },
  });
