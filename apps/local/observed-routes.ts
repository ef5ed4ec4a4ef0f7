import { NAMESPACES } from "../telemetry.ts";
import type { Observer } from "./observed.ts";

/**
 * `GET /_local/metrics` (`?namespace=`) and `GET /_local/invocations` (`?function=&limit=`): what the observer
 * saw. A query value that is not one the route knows is a 400 naming it, like any body field.
 */
type Answer = { status: number; body?: unknown };

const refuse = (field: string, reason: string): Answer => ({
  status: 400,
  body: { error: { code: "validation_failed", message: `${field}: ${reason}`, details: [{ field, reason }] } },
});

const KNOWN_NAMESPACES: readonly string[] = Object.values(NAMESPACES);

export const observed = (
  observer: Observer,
  path: string,
  query: URLSearchParams,
  functions: readonly string[],
): Answer => {
  if (path === "/_local/metrics") {
    const namespace = query.get("namespace") ?? undefined;
    if (namespace !== undefined && !KNOWN_NAMESPACES.includes(namespace))
      return refuse("namespace", `expected one of ${KNOWN_NAMESPACES.join(", ")}`);
    return { status: 200, body: { metrics: observer.metrics.list(namespace === undefined ? {} : { namespace }) } };
  }
  const fn = query.get("function") ?? undefined;
  if (fn !== undefined && !functions.includes(fn)) return refuse("function", `expected one of ${functions.join(", ")}`);
  const limitText = query.get("limit") ?? "50";
  const limit = Number(limitText);
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 200) return refuse("limit", "expected an integer from 1 to 200");
  return {
    status: 200,
    body: { invocations: observer.invocations(fn === undefined ? { limit } : { function: fn, limit }) },
  };
};
