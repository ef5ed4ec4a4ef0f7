import * as ManagedRuntime from "effect/ManagedRuntime";
import { delayRetry } from "../../adapters/sqs/visibility.ts";
import { dispatcherLayerFromEnv, readQueueUrl, sqsClientFromEnv } from "../runtime/scheduling.ts";
import { makeDispatcherHandler } from "./dispatcher.ts";

/**
 * The dispatcher function (the deliveries queue's consumer). Built once per cold start: a bad WEBHOOK_URL or a
 * missing DELIVERIES_QUEUE_URL stops it here with a ConfigError naming it; the webhook secret is read on first use.
 */
const sqs = sqsClientFromEnv();
const queueUrl = readQueueUrl();

export const handler = makeDispatcherHandler({
  runtime: ManagedRuntime.make(dispatcherLayerFromEnv()),
  delayRetry: (receiptHandle, seconds) => delayRetry(sqs, queueUrl, receiptHandle, seconds),
});
