import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { afterAll, describe, expect, it } from "vitest";
import { makeLambdaClient } from "../../adapters/lambda/client.ts";
import { remoteDeliveryStore } from "../../adapters/lambda/delivery-store-client.ts";
import { freePort } from "../../adapters/local-engines/ports.ts";
import { TEST_REGION } from "../../adapters/local-engines/testing.ts";
import { postgresDeliveryStore } from "../../adapters/postgres/scheduling/deliveries.ts";
import { deliveryStoreContract } from "../../adapters/postgres/scheduling/delivery-store-contract.ts";
import { DeliveryStore } from "../../core/scheduling/DeliveryStore.ts";
import { DEFAULT_POLICY } from "../../core/scheduling/occurrence.ts";
import { SchedulingSettings } from "../../core/scheduling/SchedulingSettings.ts";
import { DependencyUnavailable } from "../../core/shared/errors.ts";
import { type Handler, makeLocalFunction } from "../local/invoke.ts";
import { type InvokeServer, startInvokeServer } from "../local/invoke-server.ts";
import { DELIVERY_STORE_FUNCTION, functions } from "../manifest.ts";
import { makeLogger } from "../observe/log.ts";
import { makeDeliveryStoreHandler } from "./delivery-store.ts";

/**
 * The remote DeliveryStore (the scheduler's and the dispatcher's) through the local runtime's Lambda Invoke API
 * to the delivery-store function on real Postgres: the Postgres store's own contract, then what only the remote
 * path has (function errors, refusals, an endpoint that is down, which failures are retried).
 */
const spec = functions.find((fn) => fn.name === DELIVERY_STORE_FUNCTION);
if (!spec) throw new Error("no delivery-store in the manifest");
const servers: Array<InvokeServer | { close(): Promise<void> }> = [];
afterAll(() => Promise.all(servers.map((server) => server.close())));

/** A delivery-store function serving `handler` behind a fresh Invoke API, and a remote store calling it. */
const remoteOn = async (handler: Handler, endpoint?: (invokeUrl: string) => Promise<string>) => {
  const fn = makeLocalFunction(spec, handler, () => {}, TEST_REGION);
  const server = await startInvokeServer({
    functions: [fn],
    port: await freePort(),
    region: TEST_REGION,
    stackName: (name) => `rendezvous-test-${name}`,
  });
  servers.push(server);
  const lambda = makeLambdaClient({
    region: TEST_REGION,
    endpoint: endpoint ? await endpoint(server.url) : server.url,
    requestTimeoutMs: 5_000,
  });
  const functionName = `arn:aws:lambda:${TEST_REGION}:000000000000:function:rendezvous-test-${DELIVERY_STORE_FUNCTION}:live`;
  return remoteDeliveryStore({ lambda, functionName, backoffMs: 1 });
};

const quiet = makeLogger({}, () => {});
const postgresHandler = (layer: Layer.Layer<DeliveryStore>): Handler =>
  makeDeliveryStoreHandler(
    ManagedRuntime.make(Layer.mergeAll(layer, Layer.succeed(SchedulingSettings, DEFAULT_POLICY))),
    quiet,
  );

deliveryStoreContract("remote, through the Invoke API to the delivery-store function", (sql) =>
  remoteOn(postgresHandler(postgresDeliveryStore(sql))),
);

const failureOf = <A>(
  store: Layer.Layer<DeliveryStore>,
  use: (s: DeliveryStore["Service"]) => Effect.Effect<A, DependencyUnavailable>,
) => Effect.runPromise(Effect.flip(Effect.provide(Effect.flatMap(DeliveryStore, use), store)));

const dispatchRequest = { ids: ["0193a8f0-0000-7000-8000-000000000000"], now: new Date(), holdSeconds: 60 };

/** A proxy in front of the Invoke API that answers the first `failures` calls with `status` itself. */
const flakyProxy = (failures: number, status: number, errorType: string) => {
  const seen = { calls: 0 };
  const endpoint = async (target: string): Promise<string> => {
    const server: Server = createServer((request, response) => {
      seen.calls += 1;
      if (seen.calls <= failures) {
        response.writeHead(status, { "x-amzn-errortype": errorType }).end(JSON.stringify({ message: errorType }));
        return;
      }
      const forward = httpRequest(`${target}${request.url}`, { method: request.method, headers: request.headers });
      forward.on("response", (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      });
      request.pipe(forward);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  return { seen, endpoint };
};

const emptyMethods: DeliveryStore["Service"] = {
  claimDue: () => Effect.succeed([]),
  settle: () => Effect.void,
  claimStale: () => Effect.succeed([]),
  giveUp: () => Effect.void,
  beginDispatch: () => Effect.succeed([]),
  recordOutcome: () => Effect.void,
};
const emptyStore = Layer.succeed(DeliveryStore, emptyMethods);

describe("the remote DeliveryStore's failures", () => {
  it("turns a handler that throws (X-Amz-Function-Error) into DependencyUnavailable from the delivery-store", async () => {
    let calls = 0;
    const store = await remoteOn(async () => {
      calls += 1;
      throw new Error("boom");
    });
    const error = await failureOf(store, (s) => s.claimDue({ now: new Date(), limit: 1, leaseSeconds: 1, owner: "o" }));
    expect(error).toBeInstanceOf(DependencyUnavailable);
    expect(error.dependency).toBe("delivery-store");
    expect(String(error.cause)).toMatch(/function error \(Unhandled\).*boom/);
    expect(calls).toBe(1); // it ran: never retried
  });

  it("is DependencyUnavailable when the endpoint is down, after its retries", async () => {
    const closed = await freePort();
    const store = await remoteOn(postgresHandler(emptyStore), async () => `http://127.0.0.1:${closed}`);
    const error = await failureOf(store, (s) => s.beginDispatch(dispatchRequest));
    expect(error).toMatchObject({ _tag: "DependencyUnavailable", dependency: "delivery-store" });
  });

  it("passes on the database the delivery-store reports down, and a refusal of its own", async () => {
    const down = Layer.succeed(DeliveryStore, {
      ...emptyMethods,
      settle: () => Effect.fail(new DependencyUnavailable({ dependency: "database" })),
    });
    const store = await remoteOn(postgresHandler(down));
    const settle = { owner: "o", now: new Date(), queued: [], skipped: [], released: [] };
    expect(await failureOf(store, (s) => s.settle(settle))).toMatchObject({ dependency: "database" });
    const refused = await failureOf(store, (s) =>
      s.claimDue({ now: new Date(), limit: 0, leaseSeconds: 1, owner: "o" }),
    );
    // A request the protocol refuses is not even sent.
    expect(refused.dependency).toBe("delivery-store");
    expect(String(refused.cause)).toMatch(/claimDue: input\.limit: Expected a value greater than 0/);
  });

  it("answers a payload that is not a request with a refusal naming the field, never a function error", async () => {
    const fn = makeLocalFunction(spec, postgresHandler(emptyStore), () => {}, TEST_REGION);
    const port = await freePort();
    const server = await startInvokeServer({ functions: [fn], port, region: TEST_REGION, stackName: (name) => name });
    servers.push(server);
    const lambda = makeLambdaClient({ region: TEST_REGION, endpoint: server.url, requestTimeoutMs: 5_000 });
    const invoke = async (payload: unknown) => {
      const body = new TextEncoder().encode(JSON.stringify(payload));
      const answer = await lambda.send(new InvokeCommand({ FunctionName: DELIVERY_STORE_FUNCTION, Payload: body }));
      return { functionError: answer.FunctionError, body: JSON.parse(new TextDecoder().decode(answer.Payload)) };
    };
    expect(await invoke({ method: "dropTable", input: {} })).toEqual({
      functionError: undefined,
      body: { ok: false, error: { type: "BadRequest", message: expect.stringMatching(/^payload\.method: Expected/) } },
    });
    const badClaim = await invoke({ method: "claimDue", input: { now: "yesterday", limit: 10, owner: "o" } });
    expect(badClaim.body.error.message).toMatch(/input\.now: .*input\.leaseSeconds: Missing key/);
    const extra = await invoke({ method: "settle", input: {}, sql: "drop table deliveries" });
    expect(extra.body.error.message).toMatch(/payload\.sql/);
    const now = new Date().toISOString();
    expect(await invoke({ method: "beginDispatch", input: { ids: [], now, holdSeconds: 60 } })).toEqual({
      functionError: undefined,
      body: { ok: true, output: [] },
    });
  });

  it("retries a throttled call whatever the method, and a maybe-run call only where repeating is harmless", async () => {
    const throttled = flakyProxy(1, 429, "TooManyRequestsException");
    const afterThrottle = await remoteOn(postgresHandler(emptyStore), throttled.endpoint);
    await Effect.runPromise(
      Effect.provide(
        Effect.flatMap(DeliveryStore, (s) => s.beginDispatch(dispatchRequest)),
        afterThrottle,
      ),
    );
    expect(throttled.seen.calls).toBe(2);

    const broken = flakyProxy(1, 500, "ServiceException");
    const store = await remoteOn(postgresHandler(emptyStore), broken.endpoint);
    // beginDispatch may have taken the hold before the answer was lost: a retry would acknowledge it unposted.
    expect(await failureOf(store, (s) => s.beginDispatch(dispatchRequest))).toMatchObject({
      dependency: "delivery-store",
    });
    expect(broken.seen.calls).toBe(1);
    // A settle only moves rows its owner still holds: repeating it is harmless, so it is retried.
    const brokenAgain = flakyProxy(1, 500, "ServiceException");
    const retried = await remoteOn(postgresHandler(emptyStore), brokenAgain.endpoint);
    const settle = { owner: "o", now: new Date(), queued: [], skipped: [], released: [] };
    await Effect.runPromise(
      Effect.provide(
        Effect.flatMap(DeliveryStore, (s) => s.settle(settle)),
        retried,
      ),
    );
    expect(brokenAgain.seen.calls).toBe(2);
  });
});
