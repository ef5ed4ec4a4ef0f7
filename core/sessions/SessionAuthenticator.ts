import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import type { Clock } from "../shared/Clock.ts";
import { Unauthenticated } from "../shared/errors.ts";
import { Authenticator } from "./Authenticator.ts";
import type { SecretHasher } from "./SecretHasher.ts";
import type { SessionPolicy } from "./SessionPolicy.ts";
import type { SessionStore } from "./SessionStore.ts";
import { validateSession } from "./validate.ts";

/**
 * The Authenticator other contexts use, built on validate: same checks, same sliding expiry. Its dependencies are
 * captured when the layer is built, so `authenticate` itself needs nothing.
 */
export const sessionAuthenticator: Layer.Layer<
  Authenticator,
  never,
  SessionStore | SecretHasher | SessionPolicy | Clock
> = Layer.effect(
  Authenticator,
  Effect.gen(function* () {
    const context = yield* Effect.context<SessionStore | SecretHasher | SessionPolicy | Clock>();
    return {
      authenticate: (token: string) =>
        validateSession(token).pipe(
          Effect.provide(context),
          Effect.flatMap((result) =>
            result.valid
              ? Effect.succeed({ userId: result.session.userId, sessionId: result.session.id })
              : Effect.fail(new Unauthenticated({ reason: result.reason })),
          ),
        ),
    };
  }),
);
