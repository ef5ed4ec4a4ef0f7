import type { SQSClient } from "@aws-sdk/client-sqs";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Schema from "effect/Schema";
import { makeLambdaClient } from "../../adapters/lambda/client.ts";
import { remoteDeliveryStore } from "../../adapters/lambda/delivery-store-client.ts";
import { cryptoIds } from "../../adapters/node/system.ts";
import { postgresDeliveryStore } from "../../adapters/postgres/scheduling/deliveries.ts";
import { postgresUserRepository } from "../../adapters/postgres/scheduling/users.ts";
import { makeSqsClient } from "../../adapters/sqs/client.ts";
import { sqsDeliveryQueue } from "../../adapters/sqs/deliveries-queue.ts";
import { webhookDeliverySender } from "../../adapters/webhook/delivery-sender.ts";
import {
  DEFAULT_POLICY,
  parseLatePolicy,
  parseSendTime,
  type SchedulePolicy,
} from "../../core/scheduling/occurrence.ts";
import type { RecoveryOptions } from "../../core/scheduling/recovery.ts";
import { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import { DELIVERIES_QUEUE, DELIVERY_STORE_FUNCTION, functions, timeoutOf } from "../manifest.ts";
import { xrayTracerLayer } from "../observe/tracing.ts";
import { appClock } from "./clock.ts";
import { layerOnDatabase } from "./database.ts";
import { awsEndpoint, awsRegion, readEnv } from "./env.ts";
import { readSecret } from "./secrets.ts";
import { webhookUrlFromEnv } from "./webhook-url.ts";

/**
 * Scheduling wiring from the environment (apps/manifest.ts names it): SEND_TIME, LATE_POLICY and LEAP_DAY_POLICY
 * for the API, the scheduler and the delivery-store; DELIVERIES_QUEUE_URL for the scheduler and the dispatcher,
 * DELIVERIES_DLQ_URL for the scheduler (recovery gives deliveries up onto it); the webhook URL
 * (WEBHOOK_URL_PARAMETER, or WEBHOOK_URL) and secret (WEBHOOK_SECRET_ARN, or WEBHOOK_SECRET locally) for the
 * dispatcher. Only the API and the delivery-store open the database; the scheduler and the dispatcher, outside the
 * VPC, reach deliveries through the delivery-store function (DELIVERY_STORE_FUNCTION; AWS_ENDPOINT_URL_LAMBDA
 * locally).
 * Settings are decoded at cold start and a bad one throws ConfigError naming the variable.
 */
type Env = Record<string, string | undefined>;

const PolicyEnv = Schema.Struct({
  SEND_TIME: Schema.optionalKey(
    Schema.String.check(
      Schema.makeFilter((v: string) => parseSendTime(v) !== undefined || "expected HH:mm, e.g. 09:00"),
    ),
  ),
  LATE_POLICY: Schema.optionalKey(
    Schema.String.check(
      Schema.makeFilter(
        (v: string) =>
          parseLatePolicy(v) !== undefined || "expected same-local-day or an ISO-8601 duration such as PT6H",
      ),
    ),
  ),
  LEAP_DAY_POLICY: Schema.optionalKey(Schema.Literals(["feb-28", "mar-1"])),
});

export const readSchedulePolicy = (env: Env = process.env): SchedulePolicy => {
  const decoded = readEnv(PolicyEnv, env);
  return {
    sendTime: parseSendTime(decoded.SEND_TIME ?? "") ?? DEFAULT_POLICY.sendTime,
    latePolicy: parseLatePolicy(decoded.LATE_POLICY ?? "") ?? DEFAULT_POLICY.latePolicy,
    leapDayPolicy: decoded.LEAP_DAY_POLICY ?? DEFAULT_POLICY.leapDayPolicy,
  };
};

const QueueEnv = Schema.Struct({ DELIVERIES_QUEUE_URL: Schema.String.check(Schema.isMinLength(1)) });

const StoreEnv = Schema.Struct({ DELIVERY_STORE_FUNCTION: Schema.String.check(Schema.isMinLength(1)) });
const DeadLetterEnv = Schema.Struct({ DELIVERIES_DLQ_URL: Schema.String.check(Schema.isMinLength(1)) });
const RecoveryEnv = Schema.Struct({
  LOCAL_QUEUE_STARTED_AT: Schema.optionalKey(
    Schema.String.check(
      Schema.makeFilter((v: string) => !Number.isNaN(Date.parse(v)) || "expected an ISO-8601 instant"),
    ),
  ),
});

export const readQueueUrl = (env: Env = process.env): string => readEnv(QueueEnv, env).DELIVERIES_QUEUE_URL;
export const readDeadLetterUrl = (env: Env = process.env): string => readEnv(DeadLetterEnv, env).DELIVERIES_DLQ_URL;

/** Beyond the longest a message can live unnoticed: a backlog before its first receive, clocks that disagree. */
const RECOVERY_MARGIN_SECONDS = 300;

/**
 * How long a `queued` delivery may show no sign of life before its message counts as lost: the queue's visibility
 * timeout (the dispatcher's timeout × the manifest's factor, as infra/ and the local runtime create the queue) for
 * each of its maxReceiveCount receives, plus a margin. Each receive ends in an attempt (a sign of life) or, if the
 * dispatcher died, in the visibility timeout; the backoff between attempts (at most 240 s before the 5th receive)
 * stays below it. 180 s × 5 + 300 s = 1,200 s with today's manifest.
 */
export const recoveryStaleSeconds = (): number => {
  const dispatcher = functions.find((fn) => fn.triggers.some((trigger) => trigger.kind === "queue"));
  const visibility = (dispatcher ? timeoutOf(dispatcher) : 30) * DELIVERIES_QUEUE.visibilityTimeoutFactor;
  return visibility * DELIVERIES_QUEUE.maxReceiveCount + RECOVERY_MARGIN_SECONDS;
};

/**
 * The scheduler's recovery settings. LOCAL_QUEUE_STARTED_AT is set by the local runtime only: its queue lives in
 * memory and starts empty, so every delivery quiet since that instant lost its message in the restart.
 */
export const readRecovery = (env: Env = process.env): RecoveryOptions => {
  const startedAt = readEnv(RecoveryEnv, env).LOCAL_QUEUE_STARTED_AT;
  return {
    staleSeconds: recoveryStaleSeconds(),
    ...(startedAt === undefined ? {} : { lostBefore: new Date(startedAt) }),
  };
};

/**
 * The Postgres repositories on one small pool as the `rendezvous_scheduling` role, opened on first use and closed
 * when the runtime is disposed. The API and the delivery-store serve one request at a time (2 connections).
 */
export const databaseLayer = (env: Env = process.env, connections = 2) =>
  layerOnDatabase(
    "scheduling",
    (sql) => Layer.mergeAll(postgresUserRepository(sql), postgresDeliveryStore(sql)),
    env,
    connections,
  );

/** The delivery-store function's own timeout and a margin: the caller waits for its answer, never less. */
const deliveryStoreSpec = functions.find((fn) => fn.name === DELIVERY_STORE_FUNCTION);
const STORE_REQUEST_TIMEOUT_MS = ((deliveryStoreSpec ? timeoutOf(deliveryStoreSpec) : 10) + 2) * 1000;

/** Deliveries through the delivery-store function: no database pool in this function. */
export const remoteDeliveryStoreFromEnv = (env: Env = process.env) =>
  remoteDeliveryStore({
    lambda: makeLambdaClient({
      region: awsRegion(env),
      endpoint: awsEndpoint("LAMBDA", env),
      requestTimeoutMs: STORE_REQUEST_TIMEOUT_MS,
    }),
    functionName: readEnv(StoreEnv, env).DELIVERY_STORE_FUNCTION,
  });

export const settingsLayer = (env: Env = process.env) => Layer.succeed(SchedulingSettings, readSchedulePolicy(env));

export const sqsClientFromEnv = (env: Env = process.env): SQSClient =>
  makeSqsClient({ region: awsRegion(env), endpoint: awsEndpoint("SQS", env) });

/** The back-office API: repositories, clock, ids, settings. */
export const apiLayerFromEnv = (env: Env = process.env) =>
  Layer.mergeAll(databaseLayer(env), appClock, cryptoIds, settingsLayer(env), xrayTracerLayer(env));

/** The delivery-store function: the Postgres DeliveryStore and the settings its claims reschedule with. */
export const deliveryStoreLayerFromEnv = (env: Env = process.env) =>
  Layer.mergeAll(layerOnDatabase("scheduling", postgresDeliveryStore, env), settingsLayer(env), xrayTracerLayer(env));

/** The scheduler: deliveries (remote), the queue it sends to and its dead-letter queue, clock, settings. */
export const schedulerLayerFromEnv = (env: Env = process.env, sqs: SQSClient = sqsClientFromEnv(env)) =>
  Layer.mergeAll(
    remoteDeliveryStoreFromEnv(env),
    sqsDeliveryQueue(sqs, readQueueUrl(env), readDeadLetterUrl(env)),
    appClock,
    settingsLayer(env),
    xrayTracerLayer(env),
  );

/**
 * The dispatcher: deliveries (remote), the signed webhook (its secret read once per cold start, its URL from the SSM
 * parameter behind a one-minute cache, apps/runtime/webhook-url.ts), clock.
 */
export const dispatcherLayerFromEnv = (env: Env = process.env) => {
  const url = webhookUrlFromEnv(env);
  const sender = Layer.unwrap(
    Effect.tryPromise({
      try: () => readSecret("WEBHOOK_SECRET_ARN", "WEBHOOK_SECRET", env),
      catch: (cause) => new DependencyUnavailable({ dependency: "webhook secret", cause }),
    }).pipe(Effect.map((secret) => webhookDeliverySender({ url, secret }))),
  ).pipe(Layer.provide(appClock));
  return Layer.mergeAll(remoteDeliveryStoreFromEnv(env), sender, appClock, xrayTracerLayer(env));
};
