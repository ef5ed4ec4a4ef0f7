import * as ManagedRuntime from "effect/ManagedRuntime";
import { matchingLayer, postgresMatchingStoreFromEnv } from "../runtime/matching.ts";
import { makeMatchingHandler } from "./routes.ts";

/**
 * The matching function (function URL, auth NONE; every route but /health needs a Bearer session). The runtime
 * is built once per cold start: a bad MATCHING_POLICY, SESSION_POLICY or SESSIONS_TABLE_NAME stops it here with
 * a ConfigError naming the variable.
 */
const runtime = ManagedRuntime.make(matchingLayer(postgresMatchingStoreFromEnv()));

export const handler = makeMatchingHandler(runtime);
