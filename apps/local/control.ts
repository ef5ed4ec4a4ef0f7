import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import * as Schema from "effect/Schema";
import { parseIsoDuration, type RuntimeClock } from "./clock.ts";
import { type Answer, decode, error } from "./control-answers.ts";
import type { LocalIdp } from "./idp.ts";
import { errorText } from "./invoke.ts";
import type { Observer } from "./observed.ts";
import { observed } from "./observed-routes.ts";
import { closeServer, listen } from "./ports.ts";
import type { ScheduleRunner } from "./schedules.ts";

/**
 * The local runtime's own routes (API.md, "Local runtime controls"): outputs, the one clock, firing a schedule,
 * minting an ID token, received webhooks and queue depths, plus the local identity provider's JWKS. Bodies are
 * validated like any function's: a 400 names the field and the reason.
 */
export interface ControlDeps {
  readonly outputs: () => unknown;
  readonly clock: RuntimeClock;
  readonly schedules: ScheduleRunner;
  readonly idp: LocalIdp;
  readonly webhooks: () => unknown;
  readonly queues: () => Promise<unknown>;
  readonly observer: Observer;
  /** The manifest names of the functions served. */
  readonly functions: readonly string[];
  /** The console's page and routes (./console-routes.ts); undefined when none of them matches. */
  readonly more?: (method: string, url: URL, body: () => Promise<unknown>) => Promise<Answer | undefined>;
}

export interface ControlServer {
  readonly url: string;
  attach(deps: ControlDeps): void;
  close(): Promise<void>;
}

const IsoInstant = Schema.String.check(
  Schema.makeFilter((value: string) => !Number.isNaN(Date.parse(value)) || "expected an ISO-8601 instant"),
);
const IsoDuration = Schema.String.check(
  Schema.makeFilter(
    (value: string) => parseIsoDuration(value) !== undefined || "expected an ISO-8601 duration like PT25H",
  ),
);
const ClockBody = Schema.Union([
  Schema.Struct({ now: IsoInstant }),
  Schema.Struct({ advance: IsoDuration }),
  Schema.Struct({ reset: Schema.Literal(true) }),
]);
const IdTokenBody = Schema.Struct({ sub: Schema.NonEmptyString, email: Schema.optional(Schema.String) });

const readJson = async (request: IncomingMessage): Promise<unknown> => {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.trim() === "") return {};
  return JSON.parse(text);
};

const route = async (deps: ControlDeps, method: string, url: URL, body: () => Promise<unknown>): Promise<Answer> => {
  const path = url.pathname;
  const query = url.searchParams;
  const run = /^\/_local\/schedules\/([^/]+)\/run$/.exec(path);
  if (run && method === "POST") {
    const name = decodeURIComponent(run[1] ?? "");
    const scheduledTime = deps.clock.now().toISOString();
    const outcome = await deps.schedules.runNow(name);
    if (!outcome)
      return error(404, "not_found", `no scheduled function named ${name} (have: ${deps.schedules.names.join(", ")})`);
    return outcome.ok
      ? { status: 200, body: { function: name, scheduled_time: scheduledTime, result: outcome.result ?? null } }
      : error(502, "function_error", `${name} failed: ${errorText(outcome.error)}`);
  }
  const key = `${method} ${path}`;
  switch (key) {
    case "GET /_local/outputs":
      return { status: 200, body: deps.outputs() };
    case "GET /_local/clock":
      return { status: 200, body: { now: deps.clock.now().toISOString(), offset_ms: deps.clock.offsetMs } };
    case "POST /_local/clock": {
      const decoded = decode(ClockBody, await body());
      if (!decoded.ok) return decoded.answer;
      const input = decoded.value;
      if ("now" in input) deps.clock.set(new Date(input.now));
      else if ("advance" in input) deps.clock.advance(parseIsoDuration(input.advance) ?? 0);
      else deps.clock.reset();
      return { status: 200, body: { now: deps.clock.now().toISOString(), offset_ms: deps.clock.offsetMs } };
    }
    case "POST /_local/id-token": {
      const decoded = decode(IdTokenBody, await body());
      if (!decoded.ok) return decoded.answer;
      const input = decoded.value;
      const claims = input.email === undefined ? { sub: input.sub } : { sub: input.sub, email: input.email };
      return { status: 200, body: { id_token: await deps.idp.mint(claims) } };
    }
    case "GET /_local/webhooks":
      return { status: 200, body: deps.webhooks() };
    case "GET /_local/metrics":
    case "GET /_local/invocations":
      return observed(deps.observer, path, query, deps.functions);
    case "GET /_local/queues":
      return { status: 200, body: await deps.queues() };
    case "GET /_local/idp/jwks.json":
      return { status: 200, body: deps.idp.jwks };
    case "GET /_local/idp/.well-known/openid-configuration":
      return {
        status: 200,
        body: {
          issuer: deps.idp.issuer,
          jwks_uri: deps.idp.jwksUrl,
          id_token_signing_alg_values_supported: [deps.idp.algorithm],
        },
      };
  }
  const more = await deps.more?.(method, url, body);
  if (more) return more;
  return error(404, "not_found", `no control route ${method} ${path}`);
};

/** The console loads nothing but its own assets and talks to nothing but this server. */
const CONSOLE_HEADERS = {
  "content-security-policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; base-uri 'none'",
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
};

export const startControlServer = async (port: number): Promise<ControlServer> => {
  let deps: ControlDeps | undefined;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", "http://localhost");
    let answer: Answer;
    if (!deps) answer = error(503, "starting", "the local runtime is still starting");
    else {
      try {
        answer = await route(deps, request.method ?? "GET", url, () => readJson(request));
      } catch (cause) {
        answer =
          cause instanceof SyntaxError
            ? error(400, "bad_json", "body: not valid JSON")
            : error(500, "internal", errorText(cause));
      }
    }
    if (answer.raw) {
      response
        .writeHead(answer.status, { "content-type": answer.raw.type, ...CONSOLE_HEADERS })
        .end(answer.raw.content);
      return;
    }
    response.writeHead(answer.status, { "content-type": "application/json" }).end(JSON.stringify(answer.body ?? null));
  };
  const server = createServer((request, response) => void handle(request, response));
  const bound = await listen(server, "control", port);
  return {
    url: `http://127.0.0.1:${bound}`,
    attach: (next) => {
      deps = next;
    },
    close: () => closeServer(server),
  };
};
