import * as Cause from "effect/Cause";
import type * as Exit from "effect/Exit";

/**
 * One finished Effect span as an AWS X-Ray subsegment document, and the UDP datagram that carries it to the X-Ray
 * daemon. What a document may hold is decided here and nowhere else: the span's name, ids, times, whether it
 * called a dependency, whether it failed and the failing error's tag or class name, and annotations from an
 * allow-list of ids. Never an error message, an SQL text, a token or any other attribute: a trace is readable by
 * anyone with X-Ray access, and messages carry what the caller put in them.
 */

/** Spans named `<prefix>.<op>` call a dependency: X-Ray draws them as remote calls (namespace "remote"). */
export const DEPENDENCY_PREFIXES: ReadonlySet<string> = new Set(["postgres", "dynamodb", "sqs", "webhook", "lambda"]);

/** The only span attributes that become X-Ray annotations (indexed, searchable): ids of the capabilities' records. */
export const ANNOTATION_KEYS: ReadonlySet<string> = new Set(["user_id", "delivery_id", "match_id", "run_id"]);

/**
 * The daemon takes one document per datagram of at most 64 KB, and IPv4 carries at most 65,507 bytes of UDP
 * payload: a bigger document is dropped, never split.
 */
export const MAX_DATAGRAM_BYTES = 65_507;

const HEADER = '{"format":"json","version":1}\n';
const MAX_NAME = 200;
const MAX_ANNOTATION = 256;
/** X-Ray's segment name characters: letters, digits, whitespace and _ . : / % & # = + \ - @ */
const NAME_REFUSED = /[^\p{L}\p{N}\s_.:/%&#=+\\\-@]/gu;
const ERROR_NAME = /^[A-Za-z_$][A-Za-z0-9_$.]{0,99}$/;

/** A finished span, as much of it as a document uses. Times are epoch nanoseconds (Effect's Clock). */
export interface FinishedSpan {
  readonly name: string;
  readonly id: string;
  readonly traceId: string;
  readonly parentId: string;
  readonly startTime: bigint;
  readonly endTime: bigint;
  readonly attributes: ReadonlyMap<string, unknown>;
  readonly exit: Exit.Exit<unknown, unknown>;
  /** A fresh 16-hex id for the cause's exception entry. */
  readonly newId: () => string;
}

export interface Subsegment {
  readonly name: string;
  readonly id: string;
  readonly trace_id: string;
  readonly parent_id: string;
  readonly type: "subsegment";
  readonly start_time: number;
  readonly end_time: number;
  readonly namespace?: "remote";
  readonly error?: true;
  readonly fault?: true;
  readonly cause?: { readonly exceptions: ReadonlyArray<{ id: string; type: string; remote?: true }> };
  readonly annotations?: Readonly<Record<string, string | number | boolean>>;
}

export const subsegmentName = (name: string): string => name.replace(NAME_REFUSED, "_").slice(0, MAX_NAME) || "span";

const isDependencyCall = (name: string): boolean => DEPENDENCY_PREFIXES.has(name.slice(0, name.indexOf(".")));

/** Epoch seconds with microseconds, as X-Ray wants them. */
const seconds = (nanos: bigint): number => Number(nanos / 1000n) / 1e6;

/** What a failure is called: its `_tag`, else its class's name; never its message. */
export const errorTypeOf = (value: unknown): string => {
  const tag = typeof value === "object" && value !== null ? Reflect.get(value, "_tag") : undefined;
  const name =
    typeof tag === "string" ? tag : value instanceof Error ? value.name : (value?.constructor?.name ?? typeof value);
  return typeof name === "string" && ERROR_NAME.test(name) ? name : "Error";
};

/**
 * A defect is a fault (X-Ray's 5xx); so is a dependency that failed, whatever its span. Any other failure is an
 * error (a 4xx: not found, refused input). An interruption alone is neither: the program chose to stop waiting.
 */
const outcomeOf = (span: FinishedSpan, remote: boolean): Partial<Subsegment> => {
  if (span.exit._tag === "Success") return {};
  const reasons = span.exit.cause.reasons;
  const die = reasons.find(Cause.isDieReason);
  const fail = reasons.find(Cause.isFailReason);
  const type = die ? errorTypeOf(die.defect) : fail ? errorTypeOf(fail.error) : undefined;
  if (type === undefined) return {};
  const flag = die || type === "DependencyUnavailable" ? { fault: true as const } : { error: true as const };
  return { ...flag, cause: { exceptions: [{ id: span.newId(), type, ...(remote ? { remote: true as const } : {}) }] } };
};

const annotationsOf = (attributes: ReadonlyMap<string, unknown>): Subsegment["annotations"] => {
  const annotations: Record<string, string | number | boolean> = {};
  let any = false;
  for (const [key, value] of attributes) {
    if (!ANNOTATION_KEYS.has(key)) continue;
    const ok =
      (typeof value === "string" && value.length > 0 && value.length <= MAX_ANNOTATION) ||
      (typeof value === "number" && Number.isFinite(value)) ||
      typeof value === "boolean";
    if (!ok) continue;
    annotations[key] = value as string | number | boolean;
    any = true;
  }
  return any ? annotations : undefined;
};

export const subsegmentOf = (span: FinishedSpan): Subsegment => {
  const remote = isDependencyCall(span.name);
  const annotations = annotationsOf(span.attributes);
  return {
    name: subsegmentName(span.name),
    id: span.id,
    trace_id: span.traceId,
    parent_id: span.parentId,
    type: "subsegment",
    start_time: seconds(span.startTime),
    end_time: seconds(span.endTime < span.startTime ? span.startTime : span.endTime),
    ...(remote ? { namespace: "remote" as const } : {}),
    ...outcomeOf(span, remote),
    ...(annotations ? { annotations } : {}),
  };
};

/** The daemon's header line and the document, or undefined when it does not fit in one datagram. */
export const datagramOf = (document: Subsegment): Buffer | undefined => {
  const bytes = Buffer.from(HEADER + JSON.stringify(document), "utf8");
  return bytes.length <= MAX_DATAGRAM_BYTES ? bytes : undefined;
};
