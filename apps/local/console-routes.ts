import type { SQSClient } from "@aws-sdk/client-sqs";
import * as Schema from "effect/Schema";
import type { ReceiverFailure, WebhookReceiver } from "../../adapters/webhook/receiver.ts";
import { HANG } from "../../adapters/webhook/receiver.ts";
import type { FunctionSpec } from "../manifest.ts";
import type { ConsoleAssets } from "./console-assets.ts";
import { type Answer, decode, error, limitOf } from "./control-answers.ts";
import type { DataViews } from "./data-views.ts";
import type { Engines } from "./engines.ts";
import { peekMessages, redrive } from "./queue-controls.ts";
import { sendToFunction } from "./request-proxy.ts";
import type { ScheduleRunner } from "./schedules.ts";

/**
 * The console's routes on the control server (docs/api.md, "Local runtime controls"): its page and assets, the
 * functions, the schedules, a request to a function URL sent for the page, the receiver's failure switch, a peek
 * and redrive of the queues, a retry-now, and the read-only data views. Each validates its input: a 400 names the
 * field and the reason.
 */
export interface ConsoleDeps {
  readonly assets: ConsoleAssets;
  readonly functions: readonly FunctionSpec[];
  readonly urls: Readonly<Record<string, string>>;
  readonly schedules: ScheduleRunner;
  readonly receiver: WebhookReceiver;
  readonly sqs: SQSClient;
  readonly queue: Engines["queue"];
  readonly retryNow: () => Promise<number>;
  readonly data: DataViews;
}

const ok = (body: unknown): Answer => ({ status: 200, body });

const MODES = ["ok", "500", "410", "429", "hang"] as const;
const ReceiverBody = Schema.Struct({
  mode: Schema.Literals(MODES),
  retry_after_seconds: Schema.optionalKey(
    Schema.Int.check(Schema.isGreaterThanOrEqualTo(0), Schema.isLessThanOrEqualTo(43_200)),
  ),
});

const failureOf = (mode: (typeof MODES)[number], retryAfterSeconds = 60): ReceiverFailure | undefined => {
  if (mode === "ok") return undefined;
  if (mode === "hang") return { status: HANG };
  if (mode === "429") return { status: 429, retryAfterSeconds };
  return { status: mode === "500" ? 500 : 410 };
};

const modeOf = (failure: ReceiverFailure | undefined) => {
  if (!failure) return { mode: "ok" };
  if (failure.status === HANG) return { mode: "hang" };
  return "retryAfterSeconds" in failure
    ? { mode: "429", retry_after_seconds: failure.retryAfterSeconds }
    : { mode: String(failure.status) };
};

const functionsOf = (deps: ConsoleDeps) =>
  deps.functions.map((fn) => {
    const url = fn.triggers.find((trigger) => trigger.kind === "url");
    return {
      name: fn.name,
      description: fn.description,
      url: deps.urls[fn.name] ?? null,
      auth: url?.kind === "url" ? url.auth : null,
      triggers: fn.triggers,
      needs: fn.needs,
      settings: fn.settings,
      timeout_seconds: fn.timeoutSeconds ?? 10,
      ...(fn.reservedConcurrency === undefined ? {} : { reserved_concurrency: fn.reservedConcurrency }),
    };
  });

const queueRoute = async (deps: ConsoleDeps, method: string, name: string, action: string): Promise<Answer> => {
  const { queue, sqs } = deps;
  const byName = new Map([queue.url, queue.dlqUrl].map((url) => [url.split("/").pop() ?? url, url]));
  const url = byName.get(name);
  if (!url) return error(404, "not_found", `no queue named ${name} (have: ${[...byName.keys()].join(", ")})`);
  const isDlq = url === queue.dlqUrl;
  if (method === "GET" && action === "messages") return ok({ queue: name, messages: await peekMessages(sqs, url) });
  if (method === "POST" && action === "redrive") {
    if (!isDlq) return error(400, "validation_failed", `queue: ${name} is not a dead-letter queue`);
    return ok({ from: name, to: queue.url.split("/").pop(), ...(await redrive(sqs, url, queue.url)) });
  }
  if (method === "POST" && action === "retry-now") {
    if (isDlq) return error(400, "validation_failed", `queue: ${name} has no consumer to retry`);
    return ok({ queue: name, released: await deps.retryNow() });
  }
  return error(404, "not_found", `no control route ${method} /_local/queues/${name}/${action}`);
};

export const consoleRoutes =
  (deps: ConsoleDeps) =>
  async (method: string, url: URL, body: () => Promise<unknown>): Promise<Answer | undefined> => {
    const path = url.pathname;
    const asset = method === "GET" ? deps.assets.get(path === "/index.html" ? "/" : path) : undefined;
    if (asset) return { status: 200, raw: asset };
    const queue = /^\/_local\/queues\/([^/]+)\/([^/]+)$/.exec(path);
    if (queue) return queueRoute(deps, method, decodeURIComponent(queue[1] ?? ""), queue[2] ?? "");
    switch (`${method} ${path}`) {
      case "GET /_local/functions":
        return ok({ functions: functionsOf(deps) });
      case "GET /_local/schedules":
        return ok({ schedules: deps.schedules.list() });
      case "POST /_local/request":
        return sendToFunction(deps.urls, await body());
      case "GET /_local/webhooks/receiver":
        return ok(modeOf(deps.receiver.failure()));
      case "POST /_local/webhooks/receiver": {
        const decoded = decode(ReceiverBody, await body());
        if (!decoded.ok) return decoded.answer;
        deps.receiver.failWith(failureOf(decoded.value.mode, decoded.value.retry_after_seconds));
        return ok(modeOf(deps.receiver.failure()));
      }
      case "GET /_local/data/scheduling": {
        const limit = limitOf(url.searchParams, 50, 500);
        return typeof limit === "number" ? ok(await deps.data.scheduling(limit)) : limit;
      }
      case "GET /_local/data/matching":
        return ok(await deps.data.matching());
    }
    return undefined;
  };
