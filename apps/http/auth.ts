import * as Effect from "effect/Effect";
import { type AuthenticatedUser, Authenticator } from "../../core/sessions/Authenticator.ts";
import { type DependencyUnavailable, Unauthenticated } from "../../core/shared/errors.ts";
import type { HttpRequest } from "./router.ts";

/**
 * The caller of an authenticated route, from `Authorization: Bearer <session token>`: 401 when missing or not
 * valid. Adds `user_id` to the request's log line (never the token).
 */
export const requireUser = (
  request: HttpRequest,
): Effect.Effect<AuthenticatedUser, Unauthenticated | DependencyUnavailable, Authenticator> =>
  Effect.gen(function* () {
    if (!request.bearer) return yield* new Unauthenticated({ reason: "missing bearer session token" });
    const authenticator = yield* Authenticator;
    const user = yield* authenticator.authenticate(request.bearer);
    request.annotate({ user_id: user.userId });
    return user;
  });
