import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { UrlTrigger } from "../manifest.ts";
import { type CorsConfig, preflightResponse, withCorsHeaders } from "./cors.ts";
import type { LocalFunction } from "./invoke.ts";
import { closeServer, listen } from "./ports.ts";
import { fromFunctionUrlResult, type LocalResponse, toFunctionUrlEvent } from "./url-events.ts";
import {
  clientErrorAnswer,
  functionFailed,
  MAX_HEADER_BYTES,
  MAX_REQUEST_BYTES,
  methodNotAllowed,
  rawResponse,
  tooLarge,
} from "./url-transport.ts";

/**
 * A function URL on localhost: one HTTP server per function. Requests become payload 2.0 events, results become
 * responses, CORS is answered by the URL as AWS does, and a handler that throws or times out is a 502 as in AWS.
 * AWS_IAM URLs accept unsigned requests locally (there are no IAM principals on a laptop). Every answer, the
 * URL's own too (413, 431, 405, 400: ./url-transport.ts), carries `x-request-id` and the error shape.
 */
export interface UrlServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The body, or undefined when it is over the limit (read to its end all the same, so the client sees the 413). */
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
    // A body the parser gave up on (answered by the clientError handler) or a client that went away.
    request.on("close", () => reject(new Error("request closed before its end")));
  });

/** Statuses that never carry a body (nor a content-length). */
const BODILESS = new Set([204, 304]);

const send = (response: ServerResponse, answer: LocalResponse, requestId: string): void => {
  const headers: Record<string, string | string[]> = {
    "x-amzn-requestid": requestId,
    "x-request-id": requestId, // the function's own (it echoes a caller's sane x-request-id) wins below
    ...answer.headers,
  };
  if (answer.cookies.length > 0) headers["set-cookie"] = [...answer.cookies];
  // The length, not chunks: a HEAD answer (Node sends it no body) then has the headers its GET has.
  if (!BODILESS.has(answer.status)) headers["content-length"] = String(answer.body.length);
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
    if (body === undefined) return send(response, withCorsHeaders(cors, origin, tooLarge()), requestId);
    const event = toFunctionUrlEvent({
      // HEAD is answered where GET is: the function sees a GET, the client gets its status and headers.
      method: method === "HEAD" ? "GET" : method,
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
    const answer = outcome.ok ? fromFunctionUrlResult(outcome.result) : functionFailed();
    send(response, withCorsHeaders(cors, origin, answer), requestId);
  };
  // The response of each socket's request in progress, for a parser error in the middle of its body.
  const inFlight = new WeakMap<Duplex, ServerResponse>();
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    inFlight.set(request.socket, response);
    response.once("close", () => {
      if (inFlight.get(request.socket) === response) inFlight.delete(request.socket); // not a later keep-alive one
    });
    handle(request, response).catch(() => {
      if (!response.headersSent && !response.socket?.destroyed) send(response, functionFailed(), randomUUID());
    });
  });
  server.on("clientError", (error: NodeJS.ErrnoException, socket: Duplex) => {
    const answer = clientErrorAnswer(error);
    const pending = inFlight.get(socket);
    if (pending && !pending.headersSent) {
      send(pending, { ...answer, headers: { ...answer.headers, connection: "close" } }, randomUUID());
      pending.once("finish", () => socket.destroy());
    } else if (pending || error.code === "ECONNRESET" || !socket.writable) socket.destroy();
    else socket.end(rawResponse(answer, randomUUID()));
  });
  // CONNECT is not an ordinary request to Node: without this the socket would just be closed.
  server.on("connect", (_request: IncomingMessage, socket: Duplex) => {
    socket.end(rawResponse(methodNotAllowed("CONNECT"), randomUUID()));
  });
  const port = await listen(server, fn.spec.name, options.port);
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) };
};
