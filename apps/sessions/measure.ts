import * as Effect from "effect/Effect";
import type { RouteError } from "../http/errors.ts";
import { recordMetric } from "../observe/metrics.ts";
import type { DimensionValue } from "../telemetry.ts";

/**
 * The sessions metrics (apps/telemetry.ts) around the routes' use cases. A sign-in's failure is counted by a
 * reason a dashboard can group: a forged or expired ID token, a provider nobody configured, a `user_id` that is
 * not the token's subject, any other bad body. A dependency down is not a sign-in failure (the 503 alarm says so).
 */
const signInFailure = (error: RouteError): DimensionValue<"SignInFailures"> | undefined => {
  switch (error._tag) {
    case "Unauthenticated":
      return "invalid_token";
    case "Forbidden":
      return "subject_mismatch";
    case "ValidationFailed":
      return error.details[0]?.field === "provider" ? "unknown_provider" : "invalid_request";
    default:
      return undefined;
  }
};

export const measureSignIn = <A, R>(signIn: Effect.Effect<A, RouteError, R>) =>
  signIn.pipe(
    Effect.tap(() => Effect.sync(() => recordMetric("SessionsCreated"))),
    Effect.tapError((error) =>
      Effect.sync(() => {
        const reason = signInFailure(error);
        if (reason) recordMetric("SignInFailures", reason);
      }),
    ),
  );

/** `POST /auth/validate`'s answer, counted like a Bearer check (apps/http/auth.ts). */
export const recordValidation = (result: DimensionValue<"SessionsValidated">): void =>
  recordMetric("SessionsValidated", result);

export const recordRevoked = (scope: DimensionValue<"SessionsRevoked">, count = 1): void =>
  recordMetric("SessionsRevoked", scope, count);
