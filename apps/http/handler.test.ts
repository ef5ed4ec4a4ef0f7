import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as ManagedRuntime from "effect/ManagedRuntime";
import { describe, expect, it } from "vitest";
import { Conflict, DependencyUnavailable, NotFound, ValidationFailed } from "../../core/shared/errors.ts";
import { makeLogger } from "../observe/log.ts";
import { makeHttpHandler } from "./handler.ts";
import { json, noContent, route } from "./router.ts";
import { bodyOf, urlEvent } from "./testing.ts";

const lines: string[] = [];
const logger = makeLogger({ function: "test" }, (line) => lines.push(line));

let healthy = true;
const handler = makeHttpHandler({
  name: "test",
  runtime: ManagedRuntime.make(Layer.empty),
  logger,
  health: { database: Effect.suspend(() => (healthy ? Effect.void : Effect.fail("down"))) },
  routes: [
    route("POST", "/echo", (request) =>
      Effect.succeed(json(201, { body: request.body, bearer: request.bearer ?? null })),
    ),
    route("GET", "/items/{id}", (request) =>
      request.params.id === "known"
        ? Effect.succeed(json(200, { id: request.params.id }))
        : Effect.fail(new NotFound({ resource: "item", id: request.params.id ?? "" })),
    ),
    route("DELETE", "/items/{id}", () => Effect.succeed(noContent)),
    route("POST", "/invalid", () => Effect.fail(ValidationFailed.of("birthday", "expected YYYY-MM-DD"))),
    route("POST", "/conflict", () => Effect.fail(new Conflict({ message: "already accepted" }))),
    route("GET", "/down", () =>
      Effect.fail(new DependencyUnavailable({ dependency: "database", cause: new Error("ECONNREFUSED 10.0.0.1") })),
    ),
    route("GET", "/defect", (request) =>
      Effect.die(new Error(`SELECT * FROM secrets WHERE token='${request.bearer}'`)),
    ),
    route("GET", "/user", (request) => {
      request.annotate({ user_id: "u-1", session_id: "must-not-be-logged" });
      return Effect.succeed(json(200, {}));
    }),
  ],
});

const errorOf = (result: { body: string }) => (bodyOf(result) as { error: { code: string; message: string } }).error;

describe("makeHttpHandler", () => {
  it("routes a JSON body and the bearer token to the handler", async () => {
    const result = await handler(urlEvent({ method: "POST", path: "/echo", body: { a: 1 }, bearer: "tok.en" }));
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toEqual({ body: { a: 1 }, bearer: "tok.en" });
    expect(result.headers["content-type"]).toContain("application/json");
  });

  it("answers HEAD as GET with the same status and headers and no body, and lists HEAD beside GET in Allow", async () => {
    const get = await handler(urlEvent({ method: "GET", path: "/items/known" }));
    const head = await handler(urlEvent({ method: "HEAD", path: "/items/known" }));
    expect(head.statusCode).toBe(200);
    expect(head.body).toBe("");
    expect(head.headers["content-type"]).toBe(get.headers["content-type"]);
    expect((await handler(urlEvent({ method: "HEAD", path: "/items/other" }))).statusCode).toBe(404);
    const wrong = await handler(urlEvent({ method: "PUT", path: "/items/known" }));
    expect(wrong.headers.allow).toBe("GET, HEAD, DELETE");
  });

  it("decodes base64 bodies", async () => {
    const result = await handler(urlEvent({ method: "POST", path: "/echo", body: { b: true }, base64: true }));
    expect(bodyOf(result)).toMatchObject({ body: { b: true } });
  });

  it("echoes a sane x-request-id and otherwise uses the one AWS assigned", async () => {
    const supplied = await handler(urlEvent({ path: "/items/known", headers: { "x-request-id": "abc-123" } }));
    expect(supplied.headers["x-request-id"]).toBe("abc-123");
    const hostile = await handler(urlEvent({ path: "/items/known", headers: { "x-request-id": "a b\n<script>" } }));
    expect(hostile.headers["x-request-id"]).toMatch(/^req-\d+$/);
  });

  it.each([
    ["unknown route", urlEvent({ path: "/nope" }), 404, "route_not_found"],
    ["wrong method", urlEvent({ method: "PUT", path: "/items/known" }), 405, "method_not_allowed"],
    ["bad JSON", urlEvent({ method: "POST", path: "/echo", rawBody: '{"a":' }), 400, "invalid_json"],
    [
      "non-JSON type",
      urlEvent({
        method: "POST",
        path: "/echo",
        rawBody: "a=1",
        headers: { "content-type": "application/x-www-form-urlencoded" },
      }),
      415,
      "unsupported_media_type",
    ],
    [
      "huge body",
      urlEvent({ method: "POST", path: "/echo", body: { s: "x".repeat(70_000) } }),
      413,
      "payload_too_large",
    ],
    ["malformed path escape", urlEvent({ path: "/items/%zz" }), 404, "route_not_found"],
    ["validation", urlEvent({ method: "POST", path: "/invalid" }), 400, "validation_failed"],
    ["missing resource", urlEvent({ path: "/items/other" }), 404, "not_found"],
    ["conflict", urlEvent({ method: "POST", path: "/conflict" }), 409, "conflict"],
    ["dependency down", urlEvent({ path: "/down" }), 503, "dependency_unavailable"],
  ])("answers %s with its status and the error envelope", async (_name, event, status, code) => {
    const result = await handler(event);
    expect(result.statusCode).toBe(status);
    expect(errorOf(result).code).toBe(code);
    expect(errorOf(result).message.length).toBeGreaterThan(0);
    expect(result.headers["x-request-id"]).toBeTruthy();
  });

  it("says which methods a path allows", async () => {
    const result = await handler(urlEvent({ method: "PATCH", path: "/items/x" }));
    expect(result.headers.allow).toBe("GET, HEAD, DELETE");
  });

  it("names the field in a validation failure", async () => {
    const result = await handler(urlEvent({ method: "POST", path: "/invalid" }));
    expect(bodyOf(result)).toEqual({
      error: {
        code: "validation_failed",
        message: "birthday: expected YYYY-MM-DD",
        details: [{ field: "birthday", reason: "expected YYYY-MM-DD" }],
      },
    });
  });

  // A session token as sessions mints it: `<16 chars>.<43 chars>`.
  const TOKEN = "AbCdEfGhIjKlMnOp.q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c2v";

  it("turns a defect into a generic 500 and one error line naming it, with neither SQL nor the token", async () => {
    lines.length = 0;
    const result = await handler(urlEvent({ path: "/defect", bearer: TOKEN }));
    expect(result.statusCode).toBe(500);
    expect(errorOf(result).code).toBe("internal_error");
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({ level: "error", message: "request failed: defect", route: "/defect", status: 500 });
    expect(line.error).toMatchObject({ name: "Error", message: "[sql redacted]" });
    expect(line.error.at).toMatch(/^apps\/http\/handler\.test\.ts:\d+$/);
    for (const text of [result.body, lines[0]]) {
      expect(text).not.toMatch(/select|secrets/i);
      expect(text).not.toContain(TOKEN);
    }
  });

  it("logs a 503 once at error, naming the dependency and its redacted cause", async () => {
    lines.length = 0;
    const result = await handler(urlEvent({ path: "/down" }));
    expect(result.statusCode).toBe(503);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      level: "error",
      message: "request failed: dependency unavailable",
      status: 503,
      error: { name: "DependencyUnavailable", dependency: "database", cause: { message: "ECONNREFUSED 10.0.0.1" } },
    });
  });

  it("answers 204 with an empty body", async () => {
    const result = await handler(urlEvent({ method: "DELETE", path: "/items/x" }));
    expect(result.statusCode).toBe(204);
    expect(result.body).toBe("");
  });

  it("reports health per dependency, 503 naming the failing one", async () => {
    healthy = true;
    const up = await handler(urlEvent({ path: "/health" }));
    expect(up.statusCode).toBe(200);
    expect(bodyOf(up)).toMatchObject({ status: "healthy", checks: { database: "ok" } });
    expect((bodyOf(up) as { version: string }).version).toMatch(/^\d+\.\d+\.\d+/);
    healthy = false;
    const down = await handler(urlEvent({ path: "/health" }));
    expect(down.statusCode).toBe(503);
    expect(bodyOf(down)).toMatchObject({ status: "unhealthy", checks: { database: "failed" } });
  });

  it("logs one line per request with route, status and annotations, never credentials", async () => {
    lines.length = 0;
    await handler(urlEvent({ path: "/user", bearer: "secret-token" }));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ level: "info", function: "test" });
    const line = JSON.parse(lines[0] ?? "{}");
    expect(line).toMatchObject({ message: "request", route: "/user", status: 200, method: "GET", user_id: "u-1" });
    expect(typeof line.latency_ms).toBe("number");
    expect(lines[0]).not.toContain("secret-token");
    expect(lines[0]).not.toContain("must-not-be-logged");
  });
});
