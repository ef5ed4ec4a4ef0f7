import * as ManagedRuntime from "effect/ManagedRuntime";
import { deliveryStoreLayerFromEnv } from "../runtime/scheduling.ts";
import { makeDeliveryStoreHandler } from "./delivery-store.ts";

/**
 * The delivery-store function (in the VPC; invoked only by the scheduler and the dispatcher). Built once per cold
 * start: a bad SEND_TIME or LEAP_DAY_POLICY stops it here with a ConfigError naming the variable.
 */
export const handler = makeDeliveryStoreHandler(ManagedRuntime.make(deliveryStoreLayerFromEnv()));
