import { describe, expect, it } from "vitest";
import { fromFunctionUrlResult, type LocalRequest, toFunctionUrlEvent } from "./url-events.ts";

const request = (overrides: Partial<LocalRequest> = {}): LocalRequest => ({
  method: "POST",
  target: "/users/42?tag=a&tag=b&q=x%20y",
  headers: { host: "127.0.0.1:4410", "content-type": "application/json", "x-multi": ["1", "2"] },
  body: Buffer.from('{"a":1}'),
  sourceIp: "127.0.0.1",
  requestId: "req-1",
  now: new Date("2026-03-12T19:03:58.000Z"),
  auth: "NONE",
  ...overrides,
});

describe("request -> function URL event (payload 2.0)", () => {
  it("splits path and query, joins repeated parameters and headers with commas", () => {
    const event = toFunctionUrlEvent(request());
    expect(event.version).toBe("2.0");
    expect(event.rawPath).toBe("/users/42");
    expect(event.rawQueryString).toBe("tag=a&tag=b&q=x%20y");
    expect(event.queryStringParameters).toEqual({ tag: "a,b", q: "x y" });
    expect(event.headers["x-multi"]).toBe("1,2");
    expect(event.requestContext.http).toMatchObject({ method: "POST", path: "/users/42", sourceIp: "127.0.0.1" });
    expect(event.requestContext.timeEpoch).toBe(Date.parse("2026-03-12T19:03:58.000Z"));
    expect(event.requestContext.time).toBe("12/Mar/2026:19:03:58 +0000");
  });

  it("passes JSON and text bodies as text and anything else base64-encoded", () => {
    expect(toFunctionUrlEvent(request())).toMatchObject({ body: '{"a":1}', isBase64Encoded: false });
    const binary = toFunctionUrlEvent(
      request({ headers: { "content-type": "application/octet-stream" }, body: Buffer.from([0xff, 0x00]) }),
    );
    expect(binary).toMatchObject({ body: "/wA=", isBase64Encoded: true });
    const untyped = toFunctionUrlEvent(request({ headers: {}, body: Buffer.from("hi") }));
    expect(untyped.isBase64Encoded).toBe(true);
  });

  it("omits the body and the query parameters when there are none", () => {
    const event = toFunctionUrlEvent(request({ method: "GET", target: "/health", body: Buffer.alloc(0) }));
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.rawQueryString).toBe("");
  });

  it("moves cookies out of the headers into the cookies list", () => {
    const event = toFunctionUrlEvent(request({ headers: { cookie: "a=1; b=2" } }));
    expect(event.cookies).toEqual(["a=1", "b=2"]);
    expect(event.headers.cookie).toBeUndefined();
  });

  it("describes an IAM caller only for AWS_IAM URLs", () => {
    expect(toFunctionUrlEvent(request()).requestContext.authorizer).toBeUndefined();
    const iam = toFunctionUrlEvent(request({ auth: "AWS_IAM" })).requestContext;
    expect(iam.authorizer).toMatchObject({ iam: { accountId: "000000000000" } });
  });
});

describe("handler result -> HTTP response", () => {
  it("uses status, headers and cookies of a full result", () => {
    const response = fromFunctionUrlResult({
      statusCode: 201,
      headers: { "Content-Type": "application/json", "X-Count": 3 },
      cookies: ["a=1; Path=/"],
      body: '{"ok":true}',
    });
    expect(response.status).toBe(201);
    expect(response.headers).toEqual({ "content-type": "application/json", "x-count": "3" });
    expect(response.cookies).toEqual(["a=1; Path=/"]);
    expect(response.body.toString()).toBe('{"ok":true}');
  });

  it("decodes a base64 body", () => {
    const response = fromFunctionUrlResult({ statusCode: 200, body: "/wA=", isBase64Encoded: true });
    expect([...response.body]).toEqual([0xff, 0x00]);
  });

  it("treats anything without a statusCode as a 200 JSON body, as function URLs do", () => {
    const response = fromFunctionUrlResult({ hello: "world" });
    expect(response.status).toBe(200);
    expect(response.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(response.body.toString())).toEqual({ hello: "world" });
  });
});
