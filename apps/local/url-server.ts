import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { UrlTrigger } from "../manifest.ts";
import { type CorsConfig, preflightResponse, withCorsHeaders } from "./cors.ts";
import type { LocalFunction } from "./invoke.ts";
import { closeServer, listen } from "./ports.ts";
import { fromFunctionUrlResult, type LocalResponse, toFunctionUrlEvent } from "./url-events.ts";

/**
 * A function URL on localhost: one HTTP server per function. Requests become payload 2.0 events, results become
 * responses, CORS is answered by the URL as AWS does, and a handler that throws or times out is a 502 as in AWS.
 * AWS_IAM URLs accept unsigned requests locally (there are no IAM principals on a laptop).
 */
export interface UrlServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Function URLs accept request payloads up to 6 MB. */
const MAX_REQUEST_BYTES = 6 * 1024 * 1024;

const message = (status: number, text: string): LocalResponse => ({
  status,
  headers: { "content-type": "application/json" },
  cookies: [],
  body: Buffer.from(JSON.stringify({ Message: text })),
});

const readBody = (request: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > MAX_REQUEST_BYTES ? undefined : Buffer.concat(chunks)));
    request.on("error", reject);
  });

const send = (response: ServerResponse, answer: LocalResponse, requestId: string): void => {
  const headers: Record<string, string | string[]> = { "x-amzn-requestid": requestId, ...answer.headers };
  if (answer.cookies.length > 0) headers["set-cookie"] = [...answer.cookies];
  response.writeHead(answer.status, headers).end(answer.body);
};

export const startUrlServer = async (options: {
  fn: LocalFunction;
  trigger: UrlTrigger;
  port: number;
  cors: CorsConfig;
  now: () => Date;
}): Promise<UrlServer> => {
  const { fn, cors } = options;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const requestId = randomUUID();
    const method = request.method ?? "GET";
    const origin = typeof request.headers.origin === "string" ? request.headers.origin : undefined;
    const preflight = preflightResponse(cors, method, request.headers);
    if (preflight) return send(response, preflight, requestId);
    const body = await readBody(request);
    if (body === undefined)
      return send(response, message(413, "Request must be smaller than 6291456 bytes"), requestId);
    const event = toFunctionUrlEvent({
      method,
      target: request.url ?? "/",
      headers: request.headers,
      body,
      sourceIp: request.socket.remoteAddress?.replace(/^::ffff:/, "") ?? "127.0.0.1",
      requestId,
      now: options.now(),
      auth: options.trigger.auth,
    });
    const outcome = await fn.invoke("url", event, (result) =>
      result.ok ? fromFunctionUrlResult(result.result).status : 502,
    );
    const answer = outcome.ok ? fromFunctionUrlResult(outcome.result) : message(502, "Internal Server Error");
    send(response, withCorsHeaders(cors, origin, answer), requestId);
  };
  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(502).end();
    });
  });
  const port = await listen(server, fn.spec.name, options.port);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
};
