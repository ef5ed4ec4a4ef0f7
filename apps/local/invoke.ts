import { randomUUID } from "node:crypto";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { type FunctionSpec, timeoutOf } from "../manifest.ts";
import { asFunction } from "./aws-calls.ts";
import type { Observer } from "./observed.ts";

/**
 * Functions run inside the runtime's own process, as Lambda would run them: the handler module is imported once
 * (module scope = cold start) and each invocation gets an event and a context, a timeout, and the manifest's
 * reserved concurrency. Each invocation logs one line.
 */
export type Handler = (event: unknown, context: LambdaContext) => unknown;

export interface LambdaContext {
  readonly functionName: string;
  readonly awsRequestId: string;
  readonly invokedFunctionArn: string;
  readonly memoryLimitInMB: string;
  readonly callbackWaitsForEmptyEventLoop: boolean;
  getRemainingTimeInMillis(): number;
}

export type Trigger = "url" | "schedule" | "queue" | "deploy" | "invoke";

export type Outcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: unknown };

/**
 * Imports a function's handler: its TypeScript source under `root`, or, when `bundleDir` is given (`npm start`,
 * see start.mjs), the bundle esbuild wrote for that entry (`apps/x/handler.ts` -> `<bundleDir>/apps/x/handler.mjs`).
 */
export const loadHandler = async (root: string, fn: FunctionSpec, bundleDir?: string): Promise<Handler> => {
  let module: { handler?: unknown };
  try {
    const file = bundleDir ? resolve(bundleDir, fn.entry.replace(/\.ts$/, ".mjs")) : resolve(root, fn.entry);
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new Error(`function ${fn.name}: loading ${fn.entry} failed: ${(error as Error).message ?? String(error)}`);
  }
  if (typeof module.handler !== "function") throw new Error(`function ${fn.name}: ${fn.entry} exports no handler`);
  return module.handler as Handler;
};

/** Waits for a free slot when the function has reserved concurrency (the matcher has 1: batches never overlap). */
const limiter = (limit: number | undefined) => {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (limit !== undefined) {
      while (running >= limit) await new Promise<void>((wake) => waiting.push(wake));
    }
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
};

export interface LocalFunction {
  readonly spec: FunctionSpec;
  invoke(trigger: Trigger, event: unknown, statusOf?: (outcome: Outcome) => string | number): Promise<Outcome>;
}

export const makeLocalFunction = (
  spec: FunctionSpec,
  handler: Handler,
  log: (line: string) => void,
  region: string,
  observer?: Observer,
): LocalFunction => {
  const limit = limiter(spec.reservedConcurrency);
  const timeoutMs = timeoutOf(spec) * 1000;
  const run = async (event: unknown): Promise<Outcome> => {
    const started = Date.now();
    const context: LambdaContext = {
      functionName: spec.name,
      awsRequestId: randomUUID(),
      invokedFunctionArn: `arn:aws:lambda:${region}:000000000000:function:${spec.name}`,
      memoryLimitInMB: "1024",
      callbackWaitsForEmptyEventLoop: false,
      getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Task timed out after ${timeoutMs / 1000} seconds`)), timeoutMs);
    });
    try {
      const result = asFunction(spec.name, () => Promise.resolve(handler(event, context)));
      return { ok: true, result: await Promise.race([result, timeout]) };
    } catch (error) {
      return { ok: false, error };
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    spec,
    invoke: (trigger, event, statusOf) =>
      limit(async () => {
        const started = performance.now();
        // Observed: every line the handler writes meanwhile is this invocation's log (GET /_local/invocations).
        const outcome = observer
          ? await observer.invocation(spec.name, trigger, async (record) => {
              const result = await run(event);
              Object.assign(record, {
                duration_ms: Math.round(performance.now() - started),
                status: statusOf?.(result) ?? (result.ok ? "ok" : "error"),
                ...(result.ok ? {} : { error: errorText(result.error) }),
              });
              return result;
            })
          : await run(event);
        const status = statusOf?.(outcome) ?? (outcome.ok ? "ok" : "error");
        const error = outcome.ok ? {} : { error: errorText(outcome.error) };
        const duration_ms = Math.round(performance.now() - started);
        log(
          JSON.stringify({
            level: outcome.ok ? "info" : "error",
            message: "invocation",
            function: spec.name,
            trigger,
            status,
            duration_ms,
            ...error,
          }),
        );
        return outcome;
      }),
  };
};

export const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 300) : String(error).slice(0, 300);
