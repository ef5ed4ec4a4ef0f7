import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionSpec } from "../manifest.ts";
import { makeLocalFunction } from "./invoke.ts";
import { startUrlServer, type UrlServer } from "./url-server.ts";

/**
 * A local function URL on a real socket, asked what Node's HTTP parser would otherwise answer itself with a bare
 * status line (or silence): each answer has `x-request-id` and the error shape, and HEAD is a GET without body.
 */
const spec: FunctionSpec = {
  name: "probe",
  description: "probe",
  entry: "inline",
  triggers: [{ kind: "url", auth: "NONE" }],
  needs: [],
  settings: [],
  timeoutSeconds: 2,
};
const handler = (event: { rawPath: string; requestContext: { http: { method: string } } }) => {
  if (event.rawPath === "/boom") throw new Error("boom");
  const body = JSON.stringify({ method: event.requestContext.http.method, path: event.rawPath });
  return { statusCode: 200, headers: { "content-type": "application/json", "x-probe": "1" }, body };
};

let server: UrlServer;
let port = 0;
beforeAll(async () => {
  const fn = makeLocalFunction(spec, handler as never, () => {}, "us-east-1");
  server = await startUrlServer({
    fn,
    trigger: { kind: "url", auth: "NONE" },
    port: 0,
    cors: { origins: [] },
    now: () => new Date(),
  });
  port = Number(new URL(server.url).port);
});
afterAll(() => server?.close());

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends `request` as bytes and reads the answer to the socket's close (bounded: the test's own timeout). */
const raw = (request: string | Buffer): Promise<RawAnswer> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", reject);
    socket.on("close", () => {
      const text = Buffer.concat(chunks).toString("latin1");
      const [head = "", ...rest] = text.split("\r\n\r\n");
      const [statusLine = "", ...lines] = head.split("\r\n");
      const headers = Object.fromEntries(
        lines.map((line) => [line.slice(0, line.indexOf(":")).toLowerCase(), line.slice(line.indexOf(":") + 1).trim()]),
      );
      resolve({ status: Number(statusLine.split(" ")[1]), headers, body: rest.join("\r\n\r\n") });
    });
    socket.end(request);
  });

const expectShaped = (answer: RawAnswer, status: number, code: string) => {
  expect(answer.status, answer.body).toBe(status);
  expect(answer.headers["x-request-id"]).toMatch(/^[0-9a-f-]{36}$/);
  expect(answer.headers["content-type"]).toBe("application/json");
  const body = JSON.parse(answer.body);
  expect(body).toEqual({ error: { code, message: expect.any(String) } });
  return body.error.message as string;
};

describe("a local function URL's own answers", () => {
  it("refuses a body over 6 MiB with 413", async () => {
    const response = await fetch(`${server.url}/upload`, { method: "POST", body: Buffer.alloc(6 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect(await response.json()).toEqual({
      error: { code: "payload_too_large", message: expect.stringMatching(/6291456/) },
    });
  });

  it("refuses an unknown method with 405, naming the methods it serves", async () => {
    const answer = await raw("FOO /thing HTTP/1.1\r\nHost: x\r\n\r\n");
    expect(expectShaped(answer, 405, "method_not_allowed")).toMatch(/^FOO /);
    expect(answer.headers.allow).toBe("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
    expectShaped(await raw("CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n"), 405, "method_not_allowed");
  });

  it("refuses headers over 16 KiB with 431", async () => {
    const answer = await raw(`GET /thing HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(17 * 1024)}\r\n\r\n`);
    expectShaped(answer, 431, "headers_too_large");
  });

  it("refuses malformed requests with 400: request line, header, chunked body", async () => {
    expectShaped(await raw("this is not http\r\n\r\n"), 400, "bad_request");
    expectShaped(await raw("GET /thing HTTP/1.1\r\nHost x\r\n\r\n"), 400, "bad_request");
    expectShaped(
      await raw("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
      400,
      "bad_request",
    );
    // The parser fails in the body, after the request reached the URL: the answer goes through that request.
    const chunked = "POST /thing HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
    expectShaped(await raw(chunked), 400, "bad_request");
  });

  it("answers a function that throws with 502 in the same shape", async () => {
    const response = await fetch(`${server.url}/boom`);
    expect(response.status).toBe(502);
    expect(response.headers.get("x-request-id")).toBeTruthy();
    expect(await response.json()).toEqual({ error: { code: "function_error", message: expect.any(String) } });
  });

  it("answers HEAD where GET is: the same status and headers, no body", async () => {
    const get = await raw("GET /thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    const head = await raw("HEAD /thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    expect(head.status).toBe(200);
    expect(head.body).toBe("");
    expect(JSON.parse(get.body)).toEqual({ method: "GET", path: "/thing" });
    expect(head.headers["content-length"]).toBe(String(Buffer.byteLength(get.body)));
    for (const name of ["content-type", "x-probe"]) expect(head.headers[name]).toBe(get.headers[name]);
    expect(head.headers["x-request-id"]).toBeTruthy();
  });
});
