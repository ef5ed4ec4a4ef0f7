import { AsyncLocalStorage } from "node:async_hooks";
import { renameSync, writeFileSync } from "node:fs";
import { AWS_CALLS_HOOK, type AwsCall } from "../../adapters/aws/calls.ts";

/**
 * The local runtime's side of adapters/aws/calls.ts: which function each AWS call is made for. Every invocation
 * (and the queue poller's calls, which Lambda's event source mapping makes with the function's role) runs inside
 * `asFunction`; the hook attributes each call to that function and keeps the distinct ones. Calls outside any
 * function (the runtime creating its own table and queues) are the runtime's, not a function's, and are dropped.
 * With `RENDEZVOUS_AWS_CALLS_FILE` set, the file holds them as JSON after each new one (infra/'s IAM proof reads it).
 */
export interface FunctionAwsCall extends AwsCall {
  readonly function: string;
}

const invocation = new AsyncLocalStorage<string>();

/** Runs `task` as `functionName`: every AWS call it makes, however deep, is that function's. */
export const asFunction = <T>(functionName: string, task: () => T): T => invocation.run(functionName, task);

export interface AwsCallRecorder {
  calls(): FunctionAwsCall[];
  stop(): void;
}

export const startAwsCallRecorder = (file: string | undefined): AwsCallRecorder => {
  const seen = new Map<string, FunctionAwsCall>();
  const global = globalThis as { [AWS_CALLS_HOOK]?: (call: AwsCall) => void };
  const previous = global[AWS_CALLS_HOOK];
  const calls = () => [...seen.values()];
  global[AWS_CALLS_HOOK] = (call) => {
    const fn = invocation.getStore();
    if (fn === undefined) return;
    const recorded = { function: fn, service: call.service, action: call.action, resource: call.resource };
    const key = JSON.stringify(recorded);
    if (seen.has(key)) return;
    seen.set(key, recorded);
    if (!file) return;
    // Written aside and renamed: a reader polling the file (infra's permission proof) never sees half of it.
    writeFileSync(`${file}.tmp`, `${JSON.stringify(calls(), null, 2)}\n`);
    renameSync(`${file}.tmp`, file);
  };
  return {
    calls,
    stop: () => {
      if (previous) global[AWS_CALLS_HOOK] = previous;
      else delete global[AWS_CALLS_HOOK];
    },
  };
};
