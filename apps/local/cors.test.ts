import { describe, expect, it } from "vitest";
import { preflightResponse, withCorsHeaders } from "./cors.ts";
import type { LocalResponse } from "./url-events.ts";

const app = { origins: ["https://app.example.com"] };
const ok: LocalResponse = {
  status: 200,
  headers: { "content-type": "application/json", "access-control-allow-origin": "https://evil.example" },
  cookies: [],
  body: Buffer.from("{}"),
};

describe("CORS preflight", () => {
  it("allows a configured origin with the requested method and the allowed headers only", () => {
    const answer = preflightResponse(app, "OPTIONS", {
      origin: "https://app.example.com",
      "access-control-request-method": "DELETE",
      "access-control-request-headers": "Authorization, X-Unknown",
    });
    expect(answer?.status).toBe(200);
    expect(answer?.headers).toMatchObject({
      "access-control-allow-origin": "https://app.example.com",
      "access-control-allow-methods": "DELETE",
      "access-control-allow-headers": "authorization",
      vary: "Origin",
    });
  });

  it("answers an unknown origin without any allow header (the browser blocks it)", () => {
    const answer = preflightResponse(app, "OPTIONS", {
      origin: "https://other.example",
      "access-control-request-method": "GET",
    });
    expect(answer?.headers).toEqual({});
  });

  it("leaves plain OPTIONS requests to the handler", () => {
    expect(preflightResponse(app, "OPTIONS", {})).toBeUndefined();
    expect(preflightResponse(app, "GET", { origin: "https://app.example.com" })).toBeUndefined();
  });
});

describe("CORS on responses", () => {
  it("replaces the handler's CORS headers with the URL's for an allowed origin", () => {
    const answer = withCorsHeaders(app, "https://app.example.com", ok);
    expect(answer.headers["access-control-allow-origin"]).toBe("https://app.example.com");
    expect(answer.headers["access-control-expose-headers"]).toBe("x-request-id");
    expect(answer.headers.vary).toBe("Origin");
  });

  it("strips CORS headers for an origin that is not allowed", () => {
    const answer = withCorsHeaders(app, "https://other.example", ok);
    expect(answer.headers["access-control-allow-origin"]).toBeUndefined();
    expect(answer.headers["content-type"]).toBe("application/json");
  });

  it("answers * when every origin is allowed", () => {
    expect(withCorsHeaders({ origins: ["*"] }, "http://x", ok).headers["access-control-allow-origin"]).toBe("*");
  });
});
