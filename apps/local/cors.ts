import type { IncomingHttpHeaders } from "node:http";
import type { LocalResponse } from "./url-events.ts";

/**
 * Function URL CORS, emulated: the URL (not the handler) answers preflights and adds the CORS headers, from the
 * stack's allowed origins (CORS_ORIGINS). As with a function URL, CORS headers a handler returns are replaced.
 */
export interface CorsConfig {
  /** Exact origins (`https://app.example.com`) or `*`. Empty: CORS disabled, browsers block cross-origin calls. */
  readonly origins: readonly string[];
}

export const CORS_ALLOW_HEADERS = ["content-type", "authorization"];
export const CORS_EXPOSE_HEADERS = ["x-request-id"];
export const CORS_MAX_AGE_SECONDS = 300;

const allowedOrigin = (config: CorsConfig, origin: string | undefined): string | undefined => {
  if (origin === undefined) return undefined;
  if (config.origins.includes("*")) return "*";
  return config.origins.includes(origin) ? origin : undefined;
};

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(",") : value;

/** The URL's own answer to a CORS preflight; undefined when the request is not one (it goes to the handler). */
export const preflightResponse = (
  config: CorsConfig,
  method: string,
  headers: IncomingHttpHeaders,
): LocalResponse | undefined => {
  const requestedMethod = single(headers["access-control-request-method"]);
  if (method !== "OPTIONS" || headers.origin === undefined || requestedMethod === undefined) return undefined;
  const origin = allowedOrigin(config, single(headers.origin));
  const base = { status: 200, cookies: [], body: Buffer.alloc(0) };
  if (origin === undefined) return { ...base, headers: {} };
  const requested = (single(headers["access-control-request-headers"]) ?? "")
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const allowHeaders = requested.filter((name) => CORS_ALLOW_HEADERS.includes(name));
  return {
    ...base,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": requestedMethod.toUpperCase(),
      ...(allowHeaders.length > 0 ? { "access-control-allow-headers": allowHeaders.join(",") } : {}),
      "access-control-max-age": String(CORS_MAX_AGE_SECONDS),
      ...(origin === "*" ? {} : { vary: "Origin" }),
    },
  };
};

/** The handler's response with the URL's CORS headers in place of any the handler set. */
export const withCorsHeaders = (
  config: CorsConfig,
  requestOrigin: string | undefined,
  response: LocalResponse,
): LocalResponse => {
  const headers = Object.fromEntries(
    Object.entries(response.headers).filter(([name]) => !name.startsWith("access-control-")),
  );
  const origin = allowedOrigin(config, requestOrigin);
  if (origin !== undefined) {
    headers["access-control-allow-origin"] = origin;
    headers["access-control-expose-headers"] = CORS_EXPOSE_HEADERS.join(",");
    if (origin !== "*") headers.vary = headers.vary ? `${headers.vary}, Origin` : "Origin";
  }
  return { ...response, headers };
};
