import * as Cause from "effect/Cause";
import * as Effect from "effect/Effect";
import * as Exit from "effect/Exit";
import type * as ManagedRuntime from "effect/ManagedRuntime";
import * as Option from "effect/Option";
import { describeError, type LogFields, type Logger, makeLogger } from "../observe/log.ts";
import { HttpError, internalError, type MappedError, mapError, type RouteError } from "./errors.ts";
import type { FunctionUrlEvent, FunctionUrlResult } from "./events.ts";
import { bearerOf, lowerCaseHeaders, parseBody, queryOf, requestIdOf } from "./request.ts";
import { type HttpRequest, type HttpResponse, type Method, makeRouter, type Route } from "./router.ts";
import { VERSION } from "./version.ts";

export interface HttpFunction<R> {
  /** The manifest name, for logs. */
  readonly name: string;
  readonly routes: readonly Route<R>[];
  /** What `GET /health` checks, by dependency name; each must succeed within 2 seconds. */
  readonly health: Readonly<Record<string, Effect.Effect<unknown, unknown, R>>>;
  /** Built once at module scope, so warm invocations reuse connections and clients. */
  readonly runtime: ManagedRuntime.ManagedRuntime<R, unknown>;
  readonly logger?: Logger;
}

const respond = (
  status: number,
  requestId: string,
  body?: unknown,
  headers: Record<string, string> = {},
): FunctionUrlResult => ({
  statusCode: status,
  headers: {
    ...(body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
    "x-request-id": requestId,
    ...headers,
  },
  body: body === undefined ? "" : JSON.stringify(body),
});

const HEALTH_TIMEOUT = "2 seconds";

const checkHealth = async <R>(fn: HttpFunction<R>): Promise<HttpResponse> => {
  const names = Object.keys(fn.health);
  const results = await Promise.all(
    names.map((name) =>
      fn.runtime
        .runPromiseExit(Effect.timeout(fn.health[name] as Effect.Effect<unknown, unknown, R>, HEALTH_TIMEOUT))
        .then(Exit.isSuccess, () => false),
    ),
  );
  const checks = Object.fromEntries(names.map((name, i) => [name, results[i] ? "ok" : "failed"]));
  const healthy = results.every(Boolean);
  return { status: healthy ? 200 : 503, body: { status: healthy ? "healthy" : "unhealthy", version: VERSION, checks } };
};

interface Handled {
  readonly response: HttpResponse;
  /** A defect: logged at error with its name, redacted message and where it was thrown. */
  readonly defect?: unknown;
  /** A dependency that failed (503): logged at error with its redacted cause. */
  readonly unavailable?: unknown;
}

/** A route's Exit as a response: its value, its mapped domain error, or a generic 500 for a defect. */
const fromExit = (exit: Exit.Exit<HttpResponse, unknown>): Handled => {
  if (Exit.isSuccess(exit)) return { response: exit.value };
  const failure = Cause.findErrorOption(exit.cause);
  if (
    Option.isSome(failure) &&
    typeof failure.value === "object" &&
    failure.value !== null &&
    "_tag" in failure.value
  ) {
    const error = failure.value as RouteError;
    const mapped: MappedError = mapError(error);
    const response = { status: mapped.status, body: mapped.body, headers: mapped.headers };
    return error._tag === "DependencyUnavailable" ? { response, unavailable: error } : { response };
  }
  return { response: { status: internalError.status, body: internalError.body }, defect: Cause.squash(exit.cause) };
};

/**
 * A function-URL handler: request id, routing (404/405), body limits and JSON parsing (413/415/400), `GET /health`,
 * domain errors mapped to statuses, and one log line per request. CORS is the function URL's own setting
 * (infra/, and the local runtime emulates it), so it is not repeated here.
 */
export const makeHttpHandler = <R>(fn: HttpFunction<R>) => {
  const resolve = makeRouter(fn.routes);
  const logger = fn.logger ?? makeLogger({ function: fn.name });

  return async (event: FunctionUrlEvent): Promise<FunctionUrlResult> => {
    const started = Date.now();
    const headers = lowerCaseHeaders(event);
    const requestId = requestIdOf(event, headers);
    const requested = (event.requestContext?.http?.method ?? "GET").toUpperCase();
    // HEAD is answered where GET is, as HTTP asks: the GET route runs and only its body is dropped.
    const method = requested === "HEAD" ? "GET" : requested;
    const path = event.rawPath || event.requestContext?.http?.path || "/";
    const annotations: LogFields = {};
    let routeName = "unmatched";

    const handle = async (): Promise<Handled> => {
      if (path === "/health" && method === "GET") {
        routeName = "/health";
        return { response: await checkHealth(fn) };
      }
      const resolution = resolve(method, path);
      if (resolution.kind === "not-found") {
        return fromExit(
          Exit.fail(new HttpError(404, "route_not_found", `no route for ${method} ${path.slice(0, 200)}`)),
        );
      }
      if (resolution.kind === "wrong-method") {
        const allow = resolution.allowed.flatMap((m) => (m === "GET" ? ["GET", "HEAD"] : [m])).join(", ");
        return fromExit(
          Exit.fail(new HttpError(405, "method_not_allowed", `${method} is not allowed here; use ${allow}`, { allow })),
        );
      }
      routeName = resolution.route.path;
      const body = parseBody(event, headers);
      if (body instanceof HttpError) return fromExit(Exit.fail(body));
      const request: HttpRequest = {
        method: method as Method,
        path,
        params: resolution.params,
        query: queryOf(event),
        headers,
        body,
        requestId,
        bearer: bearerOf(headers),
        annotate: (fields) => Object.assign(annotations, fields),
      };
      return fromExit(await fn.runtime.runPromiseExit(resolution.route.handler(request)));
    };

    const { response, defect, unavailable } = await handle().catch(
      (error: unknown): Handled => ({
        response: { status: internalError.status, body: internalError.body },
        defect: error,
      }),
    );
    const fields = {
      request_id: requestId,
      method: requested,
      route: routeName,
      status: response.status,
      latency_ms: Date.now() - started,
      ...annotations,
    };
    if (defect !== undefined) logger.error("request failed: defect", { ...fields, ...describeError(defect) });
    else if (unavailable !== undefined)
      logger.error("request failed: dependency unavailable", { ...fields, ...describeError(unavailable) });
    else logger.info("request", fields);
    const result = respond(response.status, requestId, response.body, response.headers);
    return requested === "HEAD" ? { ...result, body: "" } : result;
  };
};
