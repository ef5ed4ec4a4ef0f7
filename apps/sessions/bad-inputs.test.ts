import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSessionsTable } from "../../adapters/dynamodb/sessions-table.ts";
import { engines, TEST_REGION, testDynamo, uniqueName } from "../../adapters/local-engines/testing.ts";
import { type LocalIdentityProvider, startLocalIdentityProvider } from "../../adapters/oidc/testing.ts";
import type { FunctionUrlResult } from "../http/events.ts";
import { hostileTextIn, UNREADABLE_TEXT, UNSTORABLE_TEXT } from "../http/hostile-text.ts";
import { bodyOf, type UrlRequest, urlEvent } from "../http/testing.ts";

/**
 * Hostile and broken requests against the real handler (dynalite, a local OIDC provider): each gets its 4xx and
 * the documented envelope `{"error":{"code","message"}}`, never a 500.
 */
let idp: LocalIdentityProvider;
let impostor: LocalIdentityProvider;
let handler: (event: ReturnType<typeof urlEvent>) => Promise<FunctionUrlResult>;
let alice = "";
let bobSessionId = "";
let revoked = "";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
const now = () => Math.floor(Date.now() / 1000);
const claims = (sub: string) => ({ sub, iss: idp.issuer, aud: idp.audience, iat: now(), exp: now() + 600 });

beforeAll(async () => {
  [idp, impostor] = await Promise.all([startLocalIdentityProvider(), startLocalIdentityProvider()]);
  const tableName = uniqueName("sessions");
  await createSessionsTable(testDynamo(), tableName);
  Object.assign(process.env, {
    SESSIONS_TABLE_NAME: tableName,
    AWS_REGION: TEST_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: engines().dynamoEndpoint,
    OIDC_PROVIDERS: JSON.stringify({ local: { issuer: idp.issuer, audience: idp.audience, jwksUrl: idp.jwksUrl } }),
  });
  vi.spyOn(process.stdout, "write").mockImplementation(() => true);
  ({ handler } = await import("./handler.ts"));
  const signIn = async (sub: string) => {
    const result = await handler(
      urlEvent({
        method: "POST",
        path: "/auth/session",
        body: { provider: "local", id_token: await idp.sign({ sub }) },
      }),
    );
    return (bodyOf(result) as { session_id: string }).session_id;
  };
  alice = await signIn("alice");
  bobSessionId = (await signIn("bob")).split(".")[0] ?? "";
  revoked = await signIn("carol");
  await handler(urlEvent({ method: "DELETE", path: "/auth/session", bearer: revoked }));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([idp.stop(), impostor.stop()]);
});

const create = (body: unknown): UrlRequest => ({ method: "POST", path: "/auth/session", body });
const createWith = async (idToken: Promise<string> | string, extra: object = {}) =>
  create({ provider: "local", id_token: await idToken, ...extra });

const cases: Array<[string, () => Promise<UrlRequest> | UrlRequest, number, string]> = [
  ["bad JSON", () => ({ method: "POST", path: "/auth/session", rawBody: '{"provider":' }), 400, "invalid_json"],
  [
    "bad JSON in a base64 body",
    () => ({ method: "POST", path: "/auth/validate", rawBody: "{{", base64: true }),
    400,
    "invalid_json",
  ],
  ["no body", () => ({ method: "POST", path: "/auth/session" }), 400, "validation_failed"],
  ["a JSON null body", () => ({ method: "POST", path: "/auth/session", rawBody: "null" }), 400, "validation_failed"],
  ["an array body", () => create([1, 2]), 400, "validation_failed"],
  ["provider of the wrong type", () => create({ provider: 7, id_token: "x" }), 400, "validation_failed"],
  ["a missing id_token", () => create({ provider: "local" }), 400, "validation_failed"],
  ["an empty id_token", () => create({ provider: "local", id_token: "" }), 400, "validation_failed"],
  [
    "an oversized id_token",
    () => create({ provider: "local", id_token: "x".repeat(20_000) }),
    400,
    "validation_failed",
  ],
  ["an unknown provider", () => create({ provider: "google", id_token: "x.y.z" }), 400, "validation_failed"],
  [
    "a device too long",
    () => createWith(idp.sign({ sub: "u" }), { device: "d".repeat(300) }),
    400,
    "validation_failed",
  ],
  ["a body over 64 KiB", () => create({ provider: "local", id_token: "x".repeat(70_000) }), 413, "payload_too_large"],
  [
    "a form-encoded body",
    () => ({ method: "POST", path: "/auth/session", rawBody: "a=1", headers: { "content-type": "text/plain" } }),
    415,
    "unsupported_media_type",
  ],
  [
    "an ID token signed by another key",
    () => createWith(impostor.sign({ sub: "u" }, { issuer: idp.issuer, audience: idp.audience })),
    401,
    "unauthenticated",
  ],
  [
    "an expired ID token",
    () => createWith(idp.sign({ sub: "u" }, { iat: now() - 7200, ttl: 600 })),
    401,
    "unauthenticated",
  ],
  [
    "an ID token for another audience",
    () => createWith(idp.sign({ sub: "u" }, { audience: "other-app" })),
    401,
    "unauthenticated",
  ],
  [
    "an ID token from another issuer",
    () => createWith(idp.sign({ sub: "u" }, { issuer: "https://evil.example" })),
    401,
    "unauthenticated",
  ],
  ["an alg:none ID token", () => createWith(`${b64({ alg: "none" })}.${b64(claims("u"))}.`), 401, "unauthenticated"],
  ["a garbage ID token", () => createWith("not.a.jwt"), 401, "unauthenticated"],
  [
    "a body user_id that is not the token's subject",
    () => createWith(idp.sign({ sub: "u" }), { user_id: "admin" }),
    403,
    "forbidden",
  ],
  [
    "validate without session_id",
    () => ({ method: "POST", path: "/auth/validate", body: {} }),
    400,
    "validation_failed",
  ],
  [
    "validate with a numeric session_id",
    () => ({ method: "POST", path: "/auth/validate", body: { session_id: 42 } }),
    400,
    "validation_failed",
  ],
  ["listing without a bearer token", () => ({ path: "/auth/sessions" }), 401, "unauthenticated"],
  [
    "listing with a garbage bearer token",
    () => ({ path: "/auth/sessions", bearer: "garbage" }),
    401,
    "unauthenticated",
  ],
  [
    "listing with Basic credentials",
    () => ({ path: "/auth/sessions", headers: { authorization: "Basic YTpi" } }),
    401,
    "unauthenticated",
  ],
  ["listing with a revoked session", () => ({ path: "/auth/sessions", bearer: revoked }), 401, "unauthenticated"],
  [
    "listing with a forged secret",
    () => ({ path: "/auth/sessions", bearer: `${alice.split(".")[0]}.${"A".repeat(43)}` }),
    401,
    "unauthenticated",
  ],
  [
    "revoking someone else's session",
    () => ({ method: "DELETE", path: `/auth/sessions/${bobSessionId}`, bearer: alice }),
    404,
    "not_found",
  ],
  [
    "revoking an unknown session",
    () => ({ method: "DELETE", path: "/auth/sessions/nope", bearer: alice }),
    404,
    "not_found",
  ],
  [
    "revoking an id with a NUL",
    () => ({ method: "DELETE", path: "/auth/sessions/%00", bearer: alice }),
    404,
    "not_found",
  ],
  [
    "revoking an id of 3000 characters",
    () => ({ method: "DELETE", path: `/auth/sessions/${"x".repeat(3000)}`, bearer: alice }),
    404,
    "not_found",
  ],
  ["logging out without a token", () => ({ method: "DELETE", path: "/auth/session" }), 401, "unauthenticated"],
  ["revoking all without a token", () => ({ method: "DELETE", path: "/auth/sessions" }), 401, "unauthenticated"],
  ["an unknown route", () => ({ path: "/auth/nope" }), 404, "route_not_found"],
  ["a wrong method on /auth/session", () => ({ method: "PUT", path: "/auth/session" }), 405, "method_not_allowed"],
  ["a wrong method on /auth/validate", () => ({ path: "/auth/validate" }), 405, "method_not_allowed"],
  [
    "a wrong method on a session",
    () => ({ path: `/auth/sessions/${bobSessionId}`, bearer: alice }),
    405,
    "method_not_allowed",
  ],
];

/** [what, request, status, start of the message: the field, or the claim, and why] */
type TextCase = [string, () => Promise<UrlRequest> | UrlRequest, number, string];
const hostile = (field: string, values: typeof UNSTORABLE_TEXT, request: (value: string) => Promise<UrlRequest>) =>
  hostileTextIn(field, values).map(({ name, value, message }): TextCase => [name, () => request(value), 400, message]);
const refusedSub = UNREADABLE_TEXT.map(
  ({ what, value, reason }): TextCase => [
    `an ID token whose sub has ${what}`,
    () => createWith(idp.sign({ sub: `user-${value}` })),
    401,
    `session not created: id_token sub claim rejected: ${reason}`,
  ],
);

const textCases: TextCase[] = [
  ...hostile("device", UNREADABLE_TEXT, (value) => createWith(idp.sign({ sub: "u" }), { device: `iPhone ${value}` })),
  ...hostile("provider", UNSTORABLE_TEXT, async (value) => create({ provider: value, id_token: "x.y.z" })),
  ...hostile("id_token", UNSTORABLE_TEXT, async (value) => createWith(`${await idp.sign({ sub: "u" })}${value}`)),
  ...hostile("user_id", UNSTORABLE_TEXT, (value) => createWith(idp.sign({ sub: "u" }), { user_id: value })),
  ...hostile("session_id", UNSTORABLE_TEXT, async (value) => ({
    method: "POST",
    path: "/auth/validate",
    body: { session_id: `${alice}${value}` },
  })),
  ...refusedSub,
  [
    "an ID token issued in the future",
    () => createWith(idp.sign({ sub: "u" }, { iat: now() + 3600 })),
    401,
    "session not created: id_token iat claim in the future",
  ],
  [
    "an ID token that expires in year 9999",
    () => createWith(idp.sign({ sub: "u" }, { ttl: 253_402_300_799 - now() })),
    401,
    "session not created: id_token exp claim more than 86400 s ahead",
  ],
];

describe("text the stores cannot hold or a reader should not see, in the sessions function", () => {
  it.each(textCases)("answers %s with %i naming it", async (_name, request, status, message) => {
    const result = await handler(urlEvent(await request()));
    expect(result.statusCode).toBe(status);
    const error = (bodyOf(result) as { error: { code: string; message: string } }).error;
    expect(error.code).toBe(status === 400 ? "validation_failed" : "unauthenticated");
    expect(error.message.startsWith(message), error.message).toBe(true);
  });
});

describe("bad input to the sessions function", () => {
  it("covers at least 25 cases", () => expect(cases.length).toBeGreaterThanOrEqual(25));

  it.each(cases)("answers %s with %i %s", async (_name, request, status, code) => {
    const result = await handler(urlEvent(await request()));
    expect(result.statusCode).toBe(status);
    const body = bodyOf(result) as { error: { code: string; message: string } };
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(0);
    expect(result.headers["x-request-id"]).toBeTruthy();
  });

  it("names the failing field", async () => {
    const result = await handler(urlEvent(create({ provider: 7 })));
    const fields = (bodyOf(result) as { error: { details: Array<{ field: string }> } }).error.details.map(
      (d) => d.field,
    );
    expect(fields).toEqual(expect.arrayContaining(["provider", "id_token"]));
  });

  it("leaves the victim's session alive after the attempts", async () => {
    const result = await handler(urlEvent({ method: "POST", path: "/auth/validate", body: { session_id: alice } }));
    expect(bodyOf(result)).toMatchObject({ valid: true, user_id: "alice" });
  });
});
