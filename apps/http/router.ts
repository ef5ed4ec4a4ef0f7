import type * as Effect from "effect/Effect";
import type { LogFields } from "../observe/log.ts";
import type { RouteError } from "./errors.ts";

export type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export interface HttpRequest {
  readonly method: Method;
  readonly path: string;
  /** Values of `{name}` segments of the route's path. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: Readonly<Record<string, string>>;
  /** Lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body; `undefined` when the request had none. */
  readonly body: unknown;
  readonly requestId: string;
  /** The token of `Authorization: Bearer <token>`, if present. */
  readonly bearer: string | undefined;
  /** Adds fields (e.g. `user_id`) to this request's log line. */
  annotate(fields: LogFields): void;
}

export interface HttpResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

export type RouteHandler<R> = (request: HttpRequest) => Effect.Effect<HttpResponse, RouteError, R>;

export interface Route<R> {
  readonly method: Method;
  /** API.md syntax: `/users/{id}/events/{event_id}`. */
  readonly path: string;
  readonly handler: RouteHandler<R>;
}

export const route = <R>(method: Method, path: string, handler: RouteHandler<R>): Route<R> => ({
  method,
  path,
  handler,
});

export const json = (status: number, body: unknown): HttpResponse => ({ status, body });
export const noContent: HttpResponse = { status: 204 };

interface Compiled<R> {
  readonly route: Route<R>;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export type Resolution<R> =
  | { readonly kind: "found"; readonly route: Route<R>; readonly params: Record<string, string> }
  | { readonly kind: "wrong-method"; readonly allowed: readonly Method[] }
  | { readonly kind: "not-found" };

/** Path captures, URI-decoded; `undefined` when one is malformed (`%zz`), which then matches nothing. */
const decodeParams = (names: readonly string[], match: RegExpExecArray): Record<string, string> | undefined => {
  const params: Record<string, string> = {};
  try {
    names.forEach((name, index) => {
      params[name] = decodeURIComponent(match[index + 1] ?? "");
    });
  } catch {
    return undefined;
  }
  return params;
};

/** Matches a method and path against the routes: exact segments, `{name}` captures one non-empty segment. */
export const makeRouter = <R>(routes: readonly Route<R>[]) => {
  const compiled: Compiled<R>[] = routes.map((r) => {
    const names: string[] = [];
    const source = r.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
      names.push(name);
      return "([^/]+)";
    });
    return { route: r, pattern: new RegExp(`^${source}/?$`), names };
  });
  return (method: string, path: string): Resolution<R> => {
    const allowed: Method[] = [];
    for (const entry of compiled) {
      const match = entry.pattern.exec(path);
      if (!match) continue;
      if (entry.route.method !== method) {
        allowed.push(entry.route.method);
        continue;
      }
      const params = decodeParams(entry.names, match);
      if (!params) return { kind: "not-found" };
      return { kind: "found", route: entry.route, params };
    }
    return allowed.length > 0 ? { kind: "wrong-method", allowed } : { kind: "not-found" };
  };
};
