import { STATUS_CODES } from "node:http";
import type { LocalResponse } from "./url-events.ts";

/**
 * The answers a local function URL gives itself, before or instead of the function: in the error shape of every
 * response (`{"error":{"code","message"}}`, docs/api.md), including the ones Node's HTTP parser would otherwise
 * answer on its own with a bare status line (a method it does not know, headers over the limit, a request it
 * cannot parse).
 */

/** Function URLs accept request payloads up to 6 MB. */
export const MAX_REQUEST_BYTES = 6 * 1024 * 1024;
/** Node's default; set explicitly so a `--max-http-header-size` flag cannot change what a test sees. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** The methods a function URL serves (its CORS `allowMethods` takes these). */
export const URL_METHODS = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";

export const errorAnswer = (
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): LocalResponse => ({
  status,
  headers: { "content-type": "application/json", ...headers },
  cookies: [],
  body: Buffer.from(JSON.stringify({ error: { code, message } })),
});

export const tooLarge = (): LocalResponse =>
  errorAnswer(413, "payload_too_large", `body: over the ${MAX_REQUEST_BYTES}-byte limit of a function URL request`);

export const methodNotAllowed = (method: string): LocalResponse =>
  errorAnswer(
    405,
    "method_not_allowed",
    `${method.slice(0, 32)} is not a method function URLs serve; use ${URL_METHODS}`,
    {
      allow: URL_METHODS,
    },
  );

export const functionFailed = (): LocalResponse =>
  errorAnswer(502, "function_error", "the function failed or timed out; its log line has the request id");

/** A request line whose method is a well-formed token that the parser does not know (`FOO / HTTP/1.1`). */
const UNKNOWN_METHOD_LINE = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) \S+ HTTP\/\d\.\d\r?$/;

/** What a parser error of Node's HTTP server (the `clientError` event) means for the client. */
export const clientErrorAnswer = (error: NodeJS.ErrnoException & { rawPacket?: Buffer }): LocalResponse => {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return errorAnswer(431, "headers_too_large", `request headers: over the ${MAX_HEADER_BYTES}-byte limit`);
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return errorAnswer(408, "request_timeout", "the request did not arrive in time");
    case "HPE_INVALID_METHOD": {
      const line = error.rawPacket?.toString("latin1").split("\n")[0] ?? "";
      const method = UNKNOWN_METHOD_LINE.exec(line)?.[1];
      if (method) return methodNotAllowed(method);
      break;
    }
  }
  const reason = error.code?.startsWith("HPE_") ? `: ${error.message.replace(/^Parse Error: /, "")}` : "";
  return errorAnswer(400, "bad_request", `the request is not valid HTTP/1.1${reason}`);
};

/** `answer` as raw HTTP/1.1 bytes, for a socket that has no response object (the parser gave up on it). */
export const rawResponse = (answer: LocalResponse, requestId: string): Buffer => {
  const headers: Record<string, string> = {
    ...answer.headers,
    "x-request-id": requestId,
    "x-amzn-requestid": requestId,
    "content-length": String(answer.body.length),
    connection: "close",
  };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  const head = `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status] ?? ""}\r\n${lines.join("\r\n")}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), answer.body]);
};
