import { createSocket } from "node:dgram";
import * as Effect from "effect/Effect";
import * as ManagedRuntime from "effect/ManagedRuntime";
import * as Tracer from "effect/Tracer";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DependencyUnavailable, NotFound } from "../../core/shared/errors.ts";
import { parseDaemonAddress, parseTraceHeader, xrayTracerLayer } from "./tracing.ts";
import type { Subsegment } from "./xray-subsegment.ts";

/** A real UDP socket standing in for the X-Ray daemon: it keeps every datagram and says when N have come. */
const startDaemon = async () => {
  const socket = createSocket("udp4");
  const datagrams: string[] = [];
  let waiting: { count: number; resolve: () => void } | undefined;
  socket.on("message", (message) => {
    datagrams.push(message.toString("utf8"));
    if (waiting && datagrams.length >= waiting.count) waiting.resolve();
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return {
    address: `127.0.0.1:${socket.address().port}`,
    datagrams,
    received: (count: number) =>
      datagrams.length >= count ? Promise.resolve() : new Promise<void>((resolve) => (waiting = { count, resolve })),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
};

const HEADER_LINE = '{"format":"json","version":1}';
const ROOT = "1-67a1b2c3-0123456789abcdef01234567";
const FACADE = "53995c3f42cd8ad8";
const header = (root: string, parent: string, sampled: 0 | 1) => `Root=${root};Parent=${parent};Sampled=${sampled}`;

const documentsOf = (datagrams: readonly string[]): Subsegment[] =>
  datagrams.map((datagram) => {
    const [first, body, ...rest] = datagram.split("\n");
    expect(first).toBe(HEADER_LINE);
    expect(rest).toEqual([]);
    return JSON.parse(body ?? "") as Subsegment;
  });
const named = (documents: readonly Subsegment[], name: string): Subsegment => {
  const found = documents.find((document) => document.name === name);
  if (!found) throw new Error(`no subsegment named ${name}`);
  return found;
};

let daemon: Awaited<ReturnType<typeof startDaemon>>;
let env: Record<string, string | undefined>;
let runtime: ManagedRuntime.ManagedRuntime<never, never>;
beforeEach(async () => {
  daemon = await startDaemon();
  env = { AWS_XRAY_DAEMON_ADDRESS: daemon.address, _X_AMZN_TRACE_ID: header(ROOT, FACADE, 1) };
  runtime = ManagedRuntime.make(xrayTracerLayer(env));
});
afterEach(async () => {
  await runtime.dispose();
  await daemon.close();
});

const find = Effect.succeed({ id: "u-1" }).pipe(
  Effect.withSpan("postgres.users.find", {
    attributes: { user_id: "u-1", delivery_id: 42, session_token: "tok-SECRET", note: "select * from users" },
  }),
);
const getUser = Effect.fn("Scheduling.getUser")(function* () {
  const span = yield* Effect.currentSpan;
  const user = yield* find.pipe(Effect.withSpan("Scheduling.load"));
  return { user, traceId: span.traceId };
});

describe("the X-Ray tracer, sampled", () => {
  it("sends one subsegment per span, linked to its parent and to Lambda's segment, in order of time", async () => {
    const result = await runtime.runPromise(getUser());
    expect(result.user).toEqual({ id: "u-1" });
    expect(result.traceId).toBe(ROOT);
    await daemon.received(3);
    const documents = documentsOf(daemon.datagrams);
    expect(documents.map((document) => document.name)).toEqual([
      "postgres.users.find",
      "Scheduling.load",
      "Scheduling.getUser",
    ]);
    const [query, load, root] = ["postgres.users.find", "Scheduling.load", "Scheduling.getUser"].map((name) =>
      named(documents, name),
    ) as [Subsegment, Subsegment, Subsegment];
    for (const document of documents) {
      expect(document.type).toBe("subsegment");
      expect(document.trace_id).toBe(ROOT);
      expect(document.id).toMatch(/^[0-9a-f]{16}$/);
      expect(document.start_time).toBeGreaterThan(1.7e9);
      expect(document.end_time).toBeGreaterThanOrEqual(document.start_time);
      expect(document.error ?? document.fault ?? document.cause).toBeUndefined();
    }
    expect(new Set(documents.map((document) => document.id)).size).toBe(3);
    expect(root.parent_id).toBe(FACADE);
    expect(load.parent_id).toBe(root.id);
    expect(query.parent_id).toBe(load.id);
    expect(load.start_time).toBeGreaterThanOrEqual(root.start_time);
    expect(query.start_time).toBeGreaterThanOrEqual(load.start_time);
    expect(query.end_time).toBeLessThanOrEqual(load.end_time);
    expect(load.end_time).toBeLessThanOrEqual(root.end_time);
    // Only the dependency call is remote; only allow-listed ids become annotations.
    expect(query.namespace).toBe("remote");
    expect(load.namespace ?? root.namespace).toBeUndefined();
    expect(query.annotations).toEqual({ user_id: "u-1", delivery_id: 42 });
    expect(daemon.datagrams.join("\n")).not.toMatch(/tok-SECRET|select \*/);
  });

  it("marks a failed dependency as a fault and an expected failure as an error, naming only the tag", async () => {
    const insert = Effect.fail(
      new DependencyUnavailable({ dependency: "sessions table", cause: new Error("password=hunter2 in SQL") }),
    ).pipe(Effect.withSpan("dynamodb.sessions.insert"));
    const create = Effect.fn("Sessions.create")(function* () {
      yield* Effect.fail(new NotFound({ resource: "user", id: "secret-id-7" })).pipe(
        Effect.withSpan("Sessions.lookup"),
        Effect.ignore,
      );
      return yield* insert;
    });
    const exit = await runtime.runPromiseExit(create());
    expect(exit._tag).toBe("Failure");
    await daemon.received(3);
    const documents = documentsOf(daemon.datagrams);
    const lookup = named(documents, "Sessions.lookup");
    expect(lookup).toMatchObject({ error: true, cause: { exceptions: [{ type: "NotFound" }] } });
    expect(lookup.fault).toBeUndefined();
    const call = named(documents, "dynamodb.sessions.insert");
    expect(call).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: "DependencyUnavailable", remote: true }] },
    });
    expect(call.error).toBeUndefined();
    expect(named(documents, "Sessions.create")).toMatchObject({
      fault: true,
      cause: { exceptions: [{ type: "DependencyUnavailable" }] },
    });
    expect(call.cause?.exceptions[0]?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(daemon.datagrams.join("\n")).not.toMatch(/hunter2|SQL|sessions table|secret-id-7|message/);
  });

  it("marks a defect as a fault with its class name and never its message", async () => {
    const crash = Effect.sync(() => {
      throw new TypeError("token tok-SECRET leaked in a defect");
    }).pipe(Effect.withSpan("webhook.send"));
    const exit = await runtime.runPromiseExit(crash.pipe(Effect.withSpan("Scheduling.dispatchDeliveries")));
    expect(exit._tag).toBe("Failure");
    await daemon.received(2);
    const documents = documentsOf(daemon.datagrams);
    for (const name of ["webhook.send", "Scheduling.dispatchDeliveries"]) {
      expect(named(documents, name)).toMatchObject({ fault: true, cause: { exceptions: [{ type: "TypeError" }] } });
    }
    expect(daemon.datagrams.join("\n")).not.toMatch(/tok-SECRET|leaked/);
  });

  it("sanitizes names to X-Ray's characters and 200 of them", async () => {
    await runtime.runPromise(Effect.void.pipe(Effect.withSpan(`lambda.invoke <"x"> ${"y".repeat(300)}`)));
    await daemon.received(1);
    const [document] = documentsOf(daemon.datagrams);
    expect(document?.name).toBe(`lambda.invoke __x__ ${"y".repeat(300)}`.slice(0, 200));
    expect(document?.namespace).toBe("remote");
  });
});

describe("the X-Ray tracer, not sampled", () => {
  it("sends nothing for an invocation with Sampled=0 or no header, and follows each invocation's header", async () => {
    env._X_AMZN_TRACE_ID = header(ROOT, FACADE, 0);
    await runtime.runPromise(getUser());
    env._X_AMZN_TRACE_ID = undefined;
    await runtime.runPromise(getUser());
    env._X_AMZN_TRACE_ID = "Root=not-a-root;Parent=53995c3f42cd8ad8;Sampled=1";
    await runtime.runPromise(getUser());
    // The next invocation is sampled: its one span is the first datagram the socket ever sent.
    const next = "1-67a1b2c4-fedcba9876543210fedcba98";
    env._X_AMZN_TRACE_ID = header(next, "0123456789abcdef", 1);
    await runtime.runPromise(Effect.void.pipe(Effect.withSpan("Matching.runMatcher")));
    await daemon.received(1);
    const documents = documentsOf(daemon.datagrams);
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ name: "Matching.runMatcher", trace_id: next, parent_id: "0123456789abcdef" });
  });

  it("installs no tracer without a daemon address, or with one it cannot read", async () => {
    for (const address of [undefined, "", "localhost", "127.0.0.1:0", "127.0.0.1:99999", "udp:127.0.0.1"]) {
      const quiet = ManagedRuntime.make(
        xrayTracerLayer({ AWS_XRAY_DAEMON_ADDRESS: address, _X_AMZN_TRACE_ID: header(ROOT, FACADE, 1) }),
      );
      expect(await quiet.runPromise(Effect.tracer)).toBe(Tracer.nativeTracer);
      await quiet.dispose();
    }
    expect(await runtime.runPromise(Effect.tracer)).not.toBe(Tracer.nativeTracer);
  });

  it("never lets a daemon it cannot reach affect the program", async () => {
    const unreachable = ManagedRuntime.make(
      xrayTracerLayer({
        AWS_XRAY_DAEMON_ADDRESS: "no-such-daemon.invalid:2000",
        _X_AMZN_TRACE_ID: header(ROOT, FACADE, 1),
      }),
    );
    const result = await unreachable.runPromise(getUser());
    expect(result.user).toEqual({ id: "u-1" });
    await unreachable.dispose();
  });
});

describe("parsing", () => {
  it("reads Lambda's header and daemon address", () => {
    expect(parseTraceHeader(`${header(ROOT, FACADE, 1)};Lineage=a:1`)).toEqual({
      root: ROOT,
      parent: FACADE,
      sampled: true,
    });
    expect(parseTraceHeader(`Root=${ROOT};Parent=xyz;Sampled=1`)).toBeUndefined();
    expect(parseDaemonAddress("169.254.79.129:2000")).toEqual({ host: "169.254.79.129", port: 2000 });
    expect(parseDaemonAddress("[::1]:2000")).toEqual({ host: "::1", port: 2000 });
  });
});
