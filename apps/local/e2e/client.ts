import { afterAll, beforeAll } from "vitest";
import type { LocalOutputs } from "../outputs.ts";
import { type LocalRuntime, type LocalRuntimeOptions, startLocalRuntime } from "../runtime.ts";

/**
 * The end-to-end suites' side of the wire: start the runtime on free ports with throwaway data, then talk to it
 * only over HTTP, as a client or an operator would, through the URLs in its outputs.
 */
export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
}

export const call = async (
  url: string,
  method: string,
  path: string,
  options: { body?: unknown; bearer?: string } = {},
): Promise<Answer> => {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { "content-type": "application/json" }),
      ...(options.bearer ? { authorization: `Bearer ${options.bearer}` } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text), headers: response.headers };
};

export interface LocalStack {
  readonly outputs: LocalOutputs;
  /** A function's URL from the outputs. */
  url(name: string): string;
  control(method: string, path: string, body?: unknown): Promise<Answer>;
  /** Sets the one clock every function and schedule reads. */
  setClock(now: string): Promise<void>;
  /** An ID token from the local identity provider. */
  idToken(sub: string, email?: string): Promise<string>;
  readonly runtime: LocalRuntime;
}

export const stackOf = (runtime: LocalRuntime): LocalStack => {
  const control = (method: string, path: string, body?: unknown) =>
    call(runtime.controlUrl, method, path, body === undefined ? {} : { body });
  return {
    outputs: runtime.outputs,
    runtime,
    url: (name) => {
      const url = runtime.outputs.urls[name];
      if (!url) throw new Error(`no URL for ${name} in the outputs`);
      return url;
    },
    control,
    setClock: async (now) => {
      const answer = await control("POST", "/_local/clock", { now });
      if (answer.status !== 200) throw new Error(`clock: ${answer.status} ${JSON.stringify(answer.body)}`);
    },
    idToken: async (sub, email) => {
      const answer = await control("POST", "/_local/id-token", email ? { sub, email } : { sub });
      return (answer.body as { id_token: string }).id_token;
    },
  };
};

/** Starts the runtime for the file's tests and stops it after them. */
export const useLocalStack = (options: LocalRuntimeOptions = {}): (() => LocalStack) => {
  let stack: LocalStack | undefined;
  beforeAll(async () => {
    stack = stackOf(await startLocalRuntime({ ephemeral: true, ports: "free", log: () => {}, ...options }));
  });
  afterAll(() => stack?.runtime.stop());
  return () => {
    if (!stack) throw new Error("the local runtime did not start");
    return stack;
  };
};

/** Polls until `read` yields a value (asynchronous work: schedules, queues, webhooks). */
export const eventually = async <T>(
  read: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 15_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
};

interface Series {
  readonly name: string;
  readonly dimensions: Record<string, string>;
  readonly sum: number;
  readonly count: number;
}

/** `GET /_local/metrics` as `"Name"` or `"Name{Dim=value}"` (the Stack dimension left out) -> sum of values. */
export const metricSums = async (stack: LocalStack, namespace?: string): Promise<Record<string, number>> => {
  const query = namespace === undefined ? "" : `?namespace=${encodeURIComponent(namespace)}`;
  const { metrics } = (await stack.control("GET", `/_local/metrics${query}`)).body as { metrics: Series[] };
  return Object.fromEntries(
    metrics.map((series) => {
      const own = Object.entries(series.dimensions).filter(([name]) => name !== "Stack");
      const key = own.length === 0 ? series.name : `${series.name}{${own.map(([k, v]) => `${k}=${v}`).join(",")}}`;
      return [key, series.sum];
    }),
  );
};

/** What a namespace's metrics gained since `before` (names that did not move are left out). */
export const metricDelta = async (
  stack: LocalStack,
  namespace: string,
  before: Record<string, number>,
): Promise<Record<string, number>> =>
  Object.fromEntries(
    Object.entries(await metricSums(stack, namespace))
      .map(([key, sum]) => [key, sum - (before[key] ?? 0)] as const)
      .filter(([, delta]) => delta !== 0),
  );
