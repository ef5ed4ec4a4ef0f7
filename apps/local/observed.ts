import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { type MetricStore, makeMetricStore } from "./metric-store.ts";

/**
 * What the functions wrote, as CloudWatch Logs would have it: the local runtime runs every handler in its own
 * process, so it listens on stdout and stderr (where Lambda's runtime reads a function's logs), gives each line to
 * the invocation whose async context wrote it, and reads the embedded-metric-format lines into a metric store.
 * Served at `GET /_local/invocations` and `GET /_local/metrics`.
 */
export interface InvocationRecord {
  readonly id: string;
  readonly function: string;
  readonly trigger: string;
  readonly started_at: string;
  duration_ms?: number;
  status?: string | number;
  error?: string;
  readonly logs: unknown[];
}

export interface Observer {
  /** Runs `task` as one invocation of `fn`: what it writes meanwhile is its log. */
  invocation<T>(fn: string, trigger: string, task: (record: InvocationRecord) => Promise<T>): Promise<T>;
  invocations(filter: { readonly function?: string; readonly limit: number }): InvocationRecord[];
  readonly metrics: MetricStore;
  stop(): void;
}

const KEPT_INVOCATIONS = 500;
const KEPT_LINES = 100;

interface Registered {
  readonly capture: (line: string, record: InvocationRecord | undefined) => void;
}

const context = new AsyncLocalStorage<{ readonly owner: Registered; readonly record: InvocationRecord }>();
const observers = new Set<Registered>();
let restore: (() => void) | undefined;

/** Wraps a stream's write once for every observer in the process; the original is put back with the last one. */
const tap = (stream: NodeJS.WriteStream): (() => void) => {
  const original = stream.write.bind(stream);
  let partial = "";
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = partial + (typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    const lines = text.split("\n");
    partial = lines.pop() ?? "";
    const current = context.getStore();
    for (const line of lines) {
      if (current) current.owner.capture(line, current.record);
      else for (const observer of observers) observer.capture(line, undefined);
    }
    // EMF lines are metrics, served at /_local/metrics: the terminal of `npm start` shows only the logs.
    if (typeof chunk === "string" && chunk.startsWith('{"_aws":')) {
      const done = rest.find((arg): arg is () => void => typeof arg === "function");
      done?.();
      return true;
    }
    return (original as (chunk: unknown, ...rest: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
  return () => {
    stream.write = original;
  };
};

const parse = (line: string): unknown => {
  if (!line.startsWith("{")) return { message: line };
  try {
    return JSON.parse(line);
  } catch {
    return { message: line };
  }
};

/**
 * Starts observing. `onLine` gets every complete line written while this observer runs (the secret-scan test
 * reads them all); the streams themselves still print everything, as before.
 */
export const startObserving = (onLine?: (line: string) => void): Observer => {
  const records: InvocationRecord[] = [];
  const metrics = makeMetricStore();
  const self: Registered = {
    capture: (line, record) => {
      if (line === "") return;
      onLine?.(line);
      const parsed = parse(line);
      if (metrics.accept(parsed)) return;
      if (record && record.logs.length < KEPT_LINES) record.logs.push(parsed);
    },
  };
  observers.add(self);
  if (!restore) {
    const untapOut = tap(process.stdout);
    const untapErr = tap(process.stderr);
    restore = () => {
      untapOut();
      untapErr();
    };
  }
  return {
    invocation: (fn, trigger, task) => {
      const record: InvocationRecord = {
        id: randomUUID(),
        function: fn,
        trigger,
        started_at: new Date().toISOString(),
        logs: [],
      };
      records.push(record);
      if (records.length > KEPT_INVOCATIONS) records.shift();
      return context.run({ owner: self, record }, () => task(record));
    },
    invocations: ({ function: fn, limit }) => {
      const matching = fn === undefined ? records : records.filter((record) => record.function === fn);
      return matching.slice(-limit).reverse();
    },
    metrics,
    stop: () => {
      observers.delete(self);
      if (observers.size === 0) {
        restore?.();
        restore = undefined;
      }
    },
  };
};
