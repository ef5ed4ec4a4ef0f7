import { NAMESPACES } from "../telemetry.ts";
import { type Answer, limitOf, refuse } from "./control-answers.ts";
import type { Observer } from "./observed.ts";

/**
 * `GET /_local/metrics` (`?namespace=`) and `GET /_local/invocations` (`?function=&limit=`): what the observer
 * saw. A query value that is not one the route knows is a 400 naming it, like any body field.
 */

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
  const limit = limitOf(query, 50, 200);
  if (typeof limit !== "number") return limit;
  return {
    status: 200,
    body: { invocations: observer.invocations(fn === undefined ? { limit } : { function: fn, limit }) },
  };
};
