import * as ManagedRuntime from "effect/ManagedRuntime";
import { apiLayerFromEnv } from "../runtime/scheduling.ts";
import { makeSchedulingHandler } from "./routes.ts";

/**
 * The scheduling back-office API (function URL, auth AWS_IAM). Built once per cold start: a bad SEND_TIME,
 * LATE_POLICY or LEAP_DAY_POLICY stops it here with a ConfigError naming the variable.
 */
export const handler = makeSchedulingHandler(ManagedRuntime.make(apiLayerFromEnv()));
