import * as ManagedRuntime from "effect/ManagedRuntime";
import { sessionsLayerFromEnv } from "../runtime/sessions.ts";
import { makeSessionsHandler } from "./routes.ts";

/**
 * The sessions function (function URL, auth NONE). The runtime is built once per cold start: a bad
 * SESSIONS_TABLE_NAME, SESSION_POLICY or OIDC_PROVIDERS stops it here with a ConfigError naming the variable.
 */
const runtime = ManagedRuntime.make(sessionsLayerFromEnv());

export const handler = makeSessionsHandler(runtime);
