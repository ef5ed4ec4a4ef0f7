import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { errorText, type LocalFunction, type Outcome } from "./invoke.ts";
import { closeServer, listen } from "./ports.ts";

/**
 * Lambda's Invoke API on localhost, for every function of the runtime: what `AWS_ENDPOINT_URL_LAMBDA` points the
 * SDK at (the scheduler and the dispatcher call the delivery-store through it) and what
 * `aws --endpoint-url ... lambda invoke` talks to. `POST /2015-03-31/functions/{name}/invocations`: the body is
 * the event, the handler's result is the body (200), a throw or timeout is 200 with `X-Amz-Function-Error:
 * Unhandled` and the error as JSON, as Lambda answers. The name may be the manifest name, the stack's function
 * name (`rendezvous-local-<name>`, the outputs' `functionNames`) or an ARN of either, with or without a qualifier.
 */
export interface InvokeServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Lambda's limit for a synchronous invocation's request payload. */
const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

interface Answer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body: string;
}

/** An API error as the SDK parses it: the code in `x-amzn-ErrorType`, the text in `message`. */
const apiError = (status: number, type: string, message: string): Answer => ({
  status,
  headers: { "x-amzn-errortype": type },
  body: JSON.stringify({ Type: "User", message }),
});

/** `arn:aws:lambda:us-east-1:000000000000:function:name:live`, `000000000000:function:name` or `name:live` -> `name`. */
export const functionNameOf = (identifier: string): string => {
  const afterFunction = /(?:^|:)function:(.+)$/.exec(identifier)?.[1] ?? identifier;
  return afterFunction.split(":")[0] ?? afterFunction;
};

const functionResult = (outcome: Outcome): Answer => {
  if (outcome.ok) return { status: 200, body: JSON.stringify(outcome.result ?? null) };
  const error = outcome.error;
  const body =
    error instanceof Error
      ? { errorType: error.name, errorMessage: error.message, trace: (error.stack ?? "").split("\n").slice(1, 11) }
      : { errorType: "Error", errorMessage: errorText(error), trace: [] };
  return { status: 200, headers: { "x-amz-function-error": "Unhandled" }, body: JSON.stringify(body) };
};

const readBody = async (request: IncomingMessage): Promise<Buffer | undefined> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks);
};

const parseEvent = (body: Buffer): { ok: true; event: unknown } | { ok: false; answer: Answer } => {
  const text = body.toString("utf8");
  // An invoke without a payload hands the handler an empty object, as Lambda does.
  if (text.trim() === "") return { ok: true, event: {} };
  try {
    return { ok: true, event: JSON.parse(text) };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    return {
      ok: false,
      answer: apiError(400, "InvalidRequestContentException", `Could not parse request body into json: ${reason}`),
    };
  }
};

export const startInvokeServer = async (options: {
  functions: readonly LocalFunction[];
  port: number;
  region: string;
  /** The stack's name of a function (`rendezvous-local-<name>`), accepted beside its manifest name. */
  stackName: (name: string) => string;
}): Promise<InvokeServer> => {
  const byName = new Map<string, LocalFunction>();
  for (const fn of options.functions) {
    byName.set(fn.spec.name, fn);
    byName.set(options.stackName(fn.spec.name), fn);
  }

  const route = async (request: IncomingMessage): Promise<Answer> => {
    const path = new URL(request.url ?? "/", "http://localhost").pathname;
    const match = INVOKE_PATH.exec(path);
    if (!match || request.method !== "POST") {
      return apiError(404, "UnknownOperationException", `no Lambda operation ${request.method} ${path} here`);
    }
    const identifier = decodeURIComponent(match[1] ?? "");
    const fn = byName.get(functionNameOf(identifier));
    if (!fn) {
      const arn = `arn:aws:lambda:${options.region}:000000000000:function:${identifier}`;
      return apiError(404, "ResourceNotFoundException", `Function not found: ${arn}`);
    }
    const body = await readBody(request);
    if (body === undefined) {
      return apiError(413, "RequestTooLargeException", `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes`);
    }
    const parsed = parseEvent(body);
    if (!parsed.ok) return parsed.answer;
    const type = String(request.headers["x-amz-invocation-type"] ?? "RequestResponse");
    if (type === "DryRun") return { status: 204, body: "" };
    if (type === "Event") {
      void fn.invoke("invoke", parsed.event);
      return { status: 202, body: "" };
    }
    return functionResult(await fn.invoke("invoke", parsed.event));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const answer = await route(request).catch(
      (error: unknown): Answer => apiError(500, "ServiceException", errorText(error)),
    );
    response
      .writeHead(answer.status, {
        "content-type": "application/json",
        "x-amzn-requestid": randomUUID(),
        "x-amz-executed-version": "$LATEST",
        ...answer.headers,
      })
      .end(answer.body);
  };
  const server = createServer((request, response) => void handle(request, response));
  const port = await listen(server, "lambda", options.port);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
};
