import type {
  Conflict,
  DependencyUnavailable,
  Forbidden,
  NotFound,
  Unauthenticated,
  ValidationFailed,
} from "../../core/shared/errors.ts";

/** An HTTP-only failure the router raises itself (bad JSON, wrong method, too large...). */
export class HttpError {
  readonly _tag = "HttpError";
  constructor(
    readonly status: number,
    readonly code: string,
    readonly message: string,
    readonly headers: Record<string, string> = {},
  ) {}
}

/** Every failure a route may return; anything else is a defect and becomes a generic 500. */
export type RouteError =
  | ValidationFailed
  | NotFound
  | Conflict
  | Forbidden
  | Unauthenticated
  | DependencyUnavailable
  | HttpError;

export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string; readonly details?: readonly unknown[] };
}

export interface MappedError {
  readonly status: number;
  readonly body: ErrorBody;
  readonly headers: Record<string, string>;
}

const body = (code: string, message: string, details?: readonly unknown[]): ErrorBody => ({
  error: { code, message, ...(details ? { details } : {}) },
});

/** The one mapping from domain errors to status codes (API.md, "Conventions"). */
export const mapError = (error: RouteError): MappedError => {
  switch (error._tag) {
    case "ValidationFailed":
      return { status: 400, body: body("validation_failed", error.message, error.details), headers: {} };
    case "Unauthenticated":
      return {
        status: 401,
        body: body("unauthenticated", `session ${error.reason}`),
        headers: { "www-authenticate": "Bearer" },
      };
    case "Forbidden":
      return { status: 403, body: body("forbidden", error.message), headers: {} };
    case "NotFound":
      return { status: 404, body: body("not_found", `${error.resource} not found`), headers: {} };
    case "Conflict":
      return { status: 409, body: body("conflict", error.message), headers: {} };
    case "DependencyUnavailable":
      return { status: 503, body: body("dependency_unavailable", `${error.dependency} is unavailable`), headers: {} };
    case "HttpError":
      return { status: error.status, body: body(error.code, error.message), headers: error.headers };
  }
};

export const internalError: MappedError = {
  status: 500,
  body: body("internal_error", "unexpected error; the request id identifies it in the logs"),
  headers: {},
};
