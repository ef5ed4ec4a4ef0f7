import * as Effect from "effect/Effect";
import { type AuthenticatedUser, Authenticator } from "../../core/sessions/Authenticator.ts";
import { type DependencyUnavailable, Unauthenticated } from "../../core/shared/errors.ts";
import { recordMetric } from "../observe/metrics.ts";
import { type DimensionValue, METRICS } from "../telemetry.ts";
import type { HttpRequest } from "./router.ts";

type Result = DimensionValue<"SessionsValidated">;
const RESULTS: readonly string[] = METRICS.SessionsValidated.dimension.values;
/** The authenticator's reason (`unknown`, `expired`, `revoked`) as the metric's Result; anything else is unknown. */
const resultOf = (reason: string): Result => (RESULTS.includes(reason) ? (reason as Result) : "unknown");

/**
 * The caller of an authenticated route, from `Authorization: Bearer <session token>`: 401 when missing or not
 * valid. Adds `user_id` to the request's log line (never the token) and counts the check in SessionsValidated.
 */
export const requireUser = (
  request: HttpRequest,
): Effect.Effect<AuthenticatedUser, Unauthenticated | DependencyUnavailable, Authenticator> =>
  Effect.gen(function* () {
    if (!request.bearer) {
      recordMetric("SessionsValidated", "missing");
      return yield* new Unauthenticated({ reason: "missing bearer session token" });
    }
    const authenticator = yield* Authenticator;
    const user = yield* authenticator.authenticate(request.bearer).pipe(
      Effect.tapError((error) =>
        Effect.sync(() => {
          if (error._tag === "Unauthenticated") recordMetric("SessionsValidated", resultOf(error.reason));
        }),
      ),
    );
    recordMetric("SessionsValidated", "valid");
    request.annotate({ user_id: user.userId });
    return user;
  });
