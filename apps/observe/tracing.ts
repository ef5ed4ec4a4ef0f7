import type { Socket } from "node:dgram";
import { createRequire } from "node:module";
import type * as Exit from "effect/Exit";
import * as Hex from "effect/encoding/Hex";
import * as Layer from "effect/Layer";
import * as Option from "effect/Option";
import * as Tracer from "effect/Tracer";
import { datagramOf, subsegmentOf } from "./xray-subsegment.ts";

/**
 * Effect spans to AWS X-Ray, by hand: each finished span becomes one subsegment document (./xray-subsegment.ts)
 * in one UDP datagram to the X-Ray daemon Lambda runs beside the function. No SDK: the module adds node:dgram and
 * a few functions to a bundle (docs/decisions/0008-traces.md). Lambda's facade segment is the invocation; a root
 * span hangs under it (the `Parent` of `_X_AMZN_TRACE_ID`, which Lambda's Node runtime sets per invocation and
 * which is read when the root span starts), its children under it.
 *
 * Without `AWS_XRAY_DAEMON_ADDRESS` (locally, in tests) the layer installs nothing; with it, a span whose
 * invocation is not sampled (`Sampled=0`, or no header) is Effect's own in-memory span and nothing is sent.
 * Sending never fails the program: errors are swallowed, a backed-up socket drops, the socket never holds the
 * process open.
 */
type Env = Record<string, string | undefined>;

export interface TraceHeader {
  readonly root: string;
  readonly parent: string;
  readonly sampled: boolean;
}

const ROOT = /^1-[0-9a-f]{8}-[0-9a-f]{24}$/;
const SEGMENT_ID = /^[0-9a-f]{16}$/;

/** `Root=1-...;Parent=<16 hex>;Sampled=1[;Lineage=...]`; anything malformed is no trace at all. */
export const parseTraceHeader = (header: string | undefined): TraceHeader | undefined => {
  if (!header) return undefined;
  const fields = new Map<string, string>();
  for (const part of header.split(";")) {
    const at = part.indexOf("=");
    if (at > 0) fields.set(part.slice(0, at).trim(), part.slice(at + 1).trim());
  }
  const root = fields.get("Root");
  const parent = fields.get("Parent");
  if (!root || !ROOT.test(root) || !parent || !SEGMENT_ID.test(parent)) return undefined;
  return { root, parent, sampled: fields.get("Sampled") === "1" };
};

export interface DaemonAddress {
  readonly host: string;
  readonly port: number;
}

const ADDRESS = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/;

/** `host:port` as Lambda sets it (`169.254.79.129:2000`), `[v6]:port` too; anything else is no daemon. */
export const parseDaemonAddress = (value: string | undefined): DaemonAddress | undefined => {
  const match = ADDRESS.exec(value?.trim() ?? "");
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  return host && port >= 1 && port <= 65_535 ? { host, port } : undefined;
};

/** Beyond this many bytes waiting in the socket, documents are dropped rather than queued without bound. */
const MAX_QUEUED_BYTES = 1024 * 1024;
const ignore = () => {};

/**
 * node:dgram is loaded with the first document, not at import: it costs about 2 ms, which a cold start whose
 * invocation is not sampled (most of them) would pay for nothing.
 */
const loadBuiltin = createRequire(import.meta.url);

/** Fire and forget: one socket, made on the first document, unreferenced, every error swallowed. */
export const udpSender = (daemon: DaemonAddress): ((bytes: Buffer) => void) => {
  let socket: Socket | undefined;
  return (bytes) => {
    try {
      if (socket === undefined) {
        const dgram = loadBuiltin("node:dgram") as typeof import("node:dgram");
        socket = dgram.createSocket(daemon.host.includes(":") ? "udp6" : "udp4");
        socket.on("error", ignore);
        socket.unref();
      }
      if (socket.getSendQueueSize() > MAX_QUEUED_BYTES) return;
      socket.send(bytes, daemon.port, daemon.host, ignore);
    } catch {
      // A closed or broken socket loses a trace, never a request.
    }
  };
};

type SpanOptions = Parameters<Tracer.Tracer["span"]>[0];

/** A span of a sampled invocation: its X-Ray trace and parent fixed when it starts, sent when it ends. */
class XraySpan extends Tracer.NativeSpan {
  constructor(
    options: SpanOptions,
    readonly root: string,
    readonly xrayParent: string,
    private readonly send: (bytes: Buffer) => void,
  ) {
    super(options);
  }

  /** The X-Ray trace id, so a log line reading the current span's trace id matches the trace. */
  override get traceId(): string {
    return this.root;
  }

  override end(endTime: bigint, exit: Exit.Exit<unknown, unknown>): void {
    if (this.status._tag === "Ended") return;
    super.end(endTime, exit);
    if (!this.sampled) return;
    try {
      const bytes = datagramOf(
        subsegmentOf({
          name: this.name,
          id: this.spanId,
          traceId: this.root,
          parentId: this.xrayParent,
          startTime: this.startTime,
          endTime,
          attributes: this.attributes,
          exit,
          newId: () => Hex.random(16),
        }),
      );
      if (bytes) this.send(bytes);
    } catch {
      // Tracing is best effort: a document that cannot be built is not sent.
    }
  }
}

/**
 * The tracer: a child of an X-Ray span joins its trace; any other span is a root, and reads the invocation's
 * header. `env` is read at each root's start because Lambda rewrites `_X_AMZN_TRACE_ID` per invocation.
 */
export const makeXrayTracer = (send: (bytes: Buffer) => void, env: Env = process.env): Tracer.Tracer =>
  Tracer.make({
    span: (options) => {
      const parent = Option.getOrUndefined(options.parent);
      if (parent instanceof XraySpan) return new XraySpan(options, parent.root, parent.spanId, send);
      const header = parseTraceHeader(env._X_AMZN_TRACE_ID);
      return header?.sampled ? new XraySpan(options, header.root, header.parent, send) : new Tracer.NativeSpan(options);
    },
  });

/** The function runtimes' tracer: X-Ray when Lambda runs a daemon beside the function, else Effect's default. */
export const xrayTracerLayer = (env: Env = process.env): Layer.Layer<never> => {
  const daemon = parseDaemonAddress(env.AWS_XRAY_DAEMON_ADDRESS);
  return daemon ? Layer.succeed(Tracer.Tracer, makeXrayTracer(udpSender(daemon), env)) : Layer.empty;
};
