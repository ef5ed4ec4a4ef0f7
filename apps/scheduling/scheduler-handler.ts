import * as ManagedRuntime from "effect/ManagedRuntime";
import { readRecovery, schedulerLayerFromEnv } from "../runtime/scheduling.ts";
import { makeSchedulerHandler } from "./scheduler.ts";

/**
 * The scheduler function (EventBridge Scheduler, every minute). Built once per cold start: a bad SEND_TIME,
 * LATE_POLICY, LEAP_DAY_POLICY or a missing DELIVERIES_QUEUE_URL / DELIVERIES_DLQ_URL stops it here with a
 * ConfigError naming it.
 */
export const handler = makeSchedulerHandler(ManagedRuntime.make(schedulerLayerFromEnv()), undefined, readRecovery());
