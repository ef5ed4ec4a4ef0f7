import { createSocket } from "node:dgram";
import * as Effect from "effect/Effect";
import type * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import * as Tracer from "effect/Tracer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionsTable } from "../../adapters/dynamodb/sessions-table.ts";
import { engines, TEST_REGION, testDynamo, uniqueName } from "../../adapters/local-engines/testing.ts";
import { makeMemoryMatchingStore } from "../../adapters/memory/matching.ts";
import { listSessions } from "../../core/sessions/manage.ts";
import { matcherLayer } from "../runtime/matching.ts";
import {
  apiLayerFromEnv,
  deliveryStoreLayerFromEnv,
  dispatcherLayerFromEnv,
  schedulerLayerFromEnv,
} from "../runtime/scheduling.ts";
import { sessionsLayerFromEnv } from "../runtime/sessions.ts";
import type { Subsegment } from "./xray-subsegment.ts";

/** The function runtimes carry the X-Ray tracer: a real use case on dynalite reaches a real UDP "daemon". */
const daemon = createSocket("udp4");
const documents: Subsegment[] = [];
let arrived: ((count: number) => void) | undefined;
daemon.on("message", (message) => {
  documents.push(JSON.parse(message.toString("utf8").split("\n")[1] ?? ""));
  arrived?.(documents.length);
});
const received = (count: number) =>
  new Promise<void>((resolve) => {
    if (documents.length >= count) return resolve();
    arrived = (length) => length >= count && resolve();
  });

const ROOT = "1-67a1b2c3-00000000000000000000abcd";
const FACADE = "1111222233334444";
let xray: Record<string, string>;
beforeAll(async () => {
  await new Promise<void>((resolve) => daemon.bind(0, "127.0.0.1", resolve));
  xray = {
    AWS_XRAY_DAEMON_ADDRESS: `127.0.0.1:${daemon.address().port}`,
    _X_AMZN_TRACE_ID: `Root=${ROOT};Parent=${FACADE};Sampled=1`,
  };
});
afterAll(() => new Promise<void>((resolve) => daemon.close(() => resolve())));

const tracerOf = async <A, E>(layer: Layer.Layer<A, E>) => {
  const runtime = ManagedRuntime.make(layer);
  try {
    return await runtime.runPromise(Effect.tracer);
  } finally {
    await runtime.dispose();
  }
};

describe("the function runtimes' tracer", () => {
  it("traces the sessions function's use case and its DynamoDB calls as one X-Ray trace", async () => {
    const table = uniqueName("sessions");
    await createSessionsTable(testDynamo(), table);
    const env = {
      ...xray,
      SESSIONS_TABLE_NAME: table,
      AWS_REGION: TEST_REGION,
      AWS_ENDPOINT_URL_DYNAMODB: engines().dynamoEndpoint,
      AWS_ACCESS_KEY_ID: "AKIDLOCAL",
      AWS_SECRET_ACCESS_KEY: "local-secret",
    };
    const runtime = ManagedRuntime.make(sessionsLayerFromEnv(env));
    expect(await runtime.runPromise(listSessions("user-7"))).toEqual([]);
    await runtime.dispose();
    await received(3);
    const byName = new Map(documents.map((document) => [document.name, document]));
    const root = byName.get("Sessions.list");
    expect(root).toMatchObject({ trace_id: ROOT, parent_id: FACADE });
    for (const call of ["dynamodb.sessions.revokedGeneration", "dynamodb.sessions.listByUser"]) {
      expect(byName.get(call)).toMatchObject({
        trace_id: ROOT,
        parent_id: root?.id,
        namespace: "remote",
        annotations: { user_id: "user-7" },
      });
    }
  });

  it("is installed in every other function's runtime too", async () => {
    const database = {
      ...xray,
      DATABASE_URL: "postgres://u@127.0.0.1:5432/db",
      LOCAL_DATABASE_CREDENTIALS: "/nonexistent/read-on-first-connection.json",
    };
    const outside = {
      ...xray,
      DELIVERY_STORE_FUNCTION: "rendezvous-test-delivery-store",
      AWS_ENDPOINT_URL_LAMBDA: "http://127.0.0.1:1",
      DELIVERIES_QUEUE_URL: "http://127.0.0.1:1/000000000000/deliveries",
      DELIVERIES_DLQ_URL: "http://127.0.0.1:1/000000000000/deliveries-dlq",
      AWS_ENDPOINT_URL_SQS: "http://127.0.0.1:1",
      WEBHOOK_URL: "http://localhost:1/webhook",
      WEBHOOK_SECRET: "whsec_c2VjcmV0",
    };
    const tracers = [
      await tracerOf(apiLayerFromEnv(database)),
      await tracerOf(deliveryStoreLayerFromEnv(database)),
      await tracerOf(schedulerLayerFromEnv(outside)),
      await tracerOf(dispatcherLayerFromEnv(outside)),
      await tracerOf(matcherLayer(makeMemoryMatchingStore().layer, xray)),
    ];
    for (const tracer of tracers) expect(tracer).not.toBe(Tracer.nativeTracer);
    // Without the daemon's address, the same runtime keeps Effect's own tracer.
    expect(await tracerOf(matcherLayer(makeMemoryMatchingStore().layer, {}))).toBe(Tracer.nativeTracer);
  });
});
