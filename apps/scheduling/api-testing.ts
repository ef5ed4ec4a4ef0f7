import { vi } from "vitest";
import { freshDatabase, runtimeDatabaseEnv } from "../../adapters/local-engines/testing.ts";
import type { FunctionUrlEvent, FunctionUrlResult } from "../http/events.ts";
import { bodyOf, type UrlRequest, urlEvent } from "../http/testing.ts";
import { setClockSource } from "../runtime/clock.ts";

/**
 * The real scheduling API handler on a fresh migrated database (connecting as the scheduling role), its clock fixed at `now` (the same clock source the
 * local runtime moves), for this package's handler tests.
 */
export const startSchedulingApi = async (now: string) => {
  Object.assign(process.env, runtimeDatabaseEnv(await freshDatabase({ migrate: true })));
  setClockSource(() => new Date(now));
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  const { handler } = (await import("./handler.ts")) as {
    handler: (event: FunctionUrlEvent) => Promise<FunctionUrlResult>;
  };
  const call = async (request: UrlRequest) => {
    const result = await handler(urlEvent(request));
    return { status: result.statusCode, headers: result.headers, body: bodyOf(result) as Record<string, unknown> };
  };
  return { handler, call };
};
