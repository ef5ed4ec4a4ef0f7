import * as Schema from "effect/Schema";

/**
 * Errors every context shares. Each carries the data a caller needs; `apps/http` maps them to status codes
 * (400, 401, 403, 404, 409, 503) and nothing in core knows about HTTP.
 */

/** One reason an input was refused: the field (dotted path) and why. */
export const FieldIssue = Schema.Struct({ field: Schema.String, reason: Schema.String });
export type FieldIssue = typeof FieldIssue.Type;

/** Input that does not satisfy the contract. `message` names the first field and its reason. */
export class ValidationFailed extends Schema.TaggedError<ValidationFailed>()("ValidationFailed", {
  message: Schema.String,
  details: Schema.Array(FieldIssue),
}) {
  static of(field: string, reason: string): ValidationFailed {
    return new ValidationFailed({ message: `${field}: ${reason}`, details: [{ field, reason }] });
  }
}

/** A resource that does not exist (or that the caller may not know exists). */
export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", {
  resource: Schema.String,
  id: Schema.String,
}) {}

/** The request is well-formed but contradicts the current state (a duplicate, a finished match). */
export class Conflict extends Schema.TaggedError<Conflict>()("Conflict", {
  message: Schema.String,
}) {}

/** The caller is known but may not do this. */
export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  message: Schema.String,
}) {}

/** No valid credentials: missing, malformed, expired or revoked. */
export class Unauthenticated extends Schema.TaggedError<Unauthenticated>()("Unauthenticated", {
  reason: Schema.String,
}) {}

/**
 * An infrastructure dependency failed (database, table, queue, identity provider). Adapters turn every driver
 * error into this one error so use cases stay free of SDK types; `cause` is for logs, never for clients.
 */
export class DependencyUnavailable extends Schema.TaggedError<DependencyUnavailable>()("DependencyUnavailable", {
  dependency: Schema.String,
  cause: Schema.optional(Schema.Unknown),
}) {}
