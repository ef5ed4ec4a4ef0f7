import { LOG_LEVELS, type LogLevel, OBSERVABILITY_ENV } from "../telemetry.ts";
import { redactText, SECRET_KEY } from "./redact.ts";

/**
 * The one logger every function uses: one JSON object per line on stdout, as Lambda's JSON log format and
 * CloudWatch Logs Insights read them (`level`, `timestamp`, `message`), plus the function, the X-Ray trace id and
 * the caller's fields. Nothing reaches the line unredacted: keys that name a credential are dropped, every string
 * goes through redactText, and errors are described by describeError, never serialized.
 */
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The same logger with `fields` on every line (a request id, a run id). */
  child(fields: LogFields): Logger;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** LOG_LEVEL (the stack's `logLevel`), read per line so a test or a local setting can change it; unknown: info. */
const threshold = (): number => {
  const configured = process.env[OBSERVABILITY_ENV.logLevel]?.toLowerCase();
  return RANK[LOG_LEVELS.find((level) => level === configured) ?? "info"];
};

/** The trace's root id from Lambda's per-invocation `_X_AMZN_TRACE_ID` (`Root=1-...;Parent=...;Sampled=1`). */
const traceId = (): string | undefined => /Root=([^;]+)/.exec(process.env._X_AMZN_TRACE_ID ?? "")?.[1];

/** A stack frame's `file:line` as describeError writes it: a path, nothing a secret could hide in. */
const FRAME = /^[\w.@/-]{1,200}:\d+$/;

const clean = (value: unknown, depth = 0, key = ""): unknown => {
  if (typeof value === "string") return key === "at" && FRAME.test(value) ? value : redactText(value, 500);
  if (value instanceof Error) return describeError(value).error;
  if (value === null || typeof value !== "object" || depth > 3) return value;
  if (Array.isArray(value)) return value.slice(0, 50).map((item) => clean(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !SECRET_KEY.test(key))
      .map(([name, item]) => [name, clean(item, depth + 1, name)]),
  );
};

const stdout = (line: string) => {
  process.stdout.write(`${line}\n`);
};

export const makeLogger = (base: LogFields, write: (line: string) => void = stdout): Logger => {
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (RANK[level] < threshold()) return;
    const trace = traceId();
    const line = {
      level,
      message: redactText(message),
      timestamp: new Date().toISOString(),
      ...(base.function === undefined && process.env.AWS_LAMBDA_FUNCTION_NAME
        ? { function: process.env.AWS_LAMBDA_FUNCTION_NAME }
        : {}),
      ...(trace ? { trace_id: trace } : {}),
      ...(clean(base) as LogFields),
      ...(clean(fields) as LogFields),
    };
    write(JSON.stringify(line));
  };
  return {
    debug: (message, fields) => emit("debug", message, fields),
    info: (message, fields) => emit("info", message, fields),
    warn: (message, fields) => emit("warn", message, fields),
    error: (message, fields) => emit("error", message, fields),
    child: (fields) => makeLogger({ ...base, ...fields }, write),
  };
};

export interface ErrorDescription {
  readonly name: string;
  readonly message?: string;
  /** Where a defect was thrown: the first stack frame's file and line, relative to the project. */
  readonly at?: string;
  /** The dependency a DependencyUnavailable names. */
  readonly dependency?: string;
  /** A driver's error code (SQLSTATE, an AWS error code, ECONNREFUSED). */
  readonly code?: string;
  readonly cause?: ErrorDescription;
}

const frameOf = (stack: string | undefined): string | undefined => {
  const frame = stack?.split("\n").find((line) => line.trimStart().startsWith("at "));
  const location = frame && /\(?((?:file:\/\/)?[^\s()]+):(\d+):\d+\)?$/.exec(frame.trim());
  if (!location) return undefined;
  const file = (location[1] ?? "").replace(/^file:\/\//, "");
  const relative = /(?:^|\/)((?:apps|core|adapters|infra|node_modules)\/.*)$/.exec(file)?.[1] ?? file;
  return `${relative.slice(-160)}:${location[2]}`;
};

const describe = (error: unknown, depth: number): ErrorDescription => {
  if (typeof error !== "object" || error === null) return { name: typeof error };
  const record = error as Record<string, unknown>;
  const name = typeof record._tag === "string" ? record._tag : error instanceof Error ? error.name : "object";
  const code = typeof record.code === "string" || typeof record.code === "number" ? String(record.code) : undefined;
  const dependency = typeof record.dependency === "string" ? record.dependency : undefined;
  const message = typeof record.message === "string" && record.message !== "" ? redactText(record.message) : undefined;
  const at = error instanceof Error ? frameOf(error.stack) : undefined;
  const cause = record.cause !== undefined && depth < 3 ? describe(record.cause, depth + 1) : undefined;
  return {
    name,
    ...(message ? { message } : {}),
    ...(at ? { at } : {}),
    ...(dependency ? { dependency } : {}),
    ...(code ? { code } : {}),
    ...(cause ? { cause } : {}),
  };
};

/**
 * An error for a log line: its name (or tag), a redacted message, where it was thrown, the dependency and code it
 * names, and its cause the same way. Never its stack, nor a driver's query or parameters.
 */
export const describeError = (error: unknown): { readonly error: ErrorDescription } => ({ error: describe(error, 0) });
