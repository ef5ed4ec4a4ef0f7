import * as ManagedRuntime from "effect/ManagedRuntime";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createSessionsTable } from "../../adapters/dynamodb/sessions-table.ts";
import { engines, TEST_REGION, testDynamo, uniqueName } from "../../adapters/local-engines/testing.ts";
import { SettableClock } from "../../adapters/memory/clock.ts";
import { type LocalIdentityProvider, startLocalIdentityProvider } from "../../adapters/oidc/testing.ts";
import type { FunctionUrlResult } from "../http/events.ts";
import { bodyOf, type UrlRequest, urlEvent } from "../http/testing.ts";
import { makeLogger } from "../observe/log.ts";
import { setClockSource } from "../runtime/clock.ts";
import { sessionsLayerFromEnv } from "../runtime/sessions.ts";
import { makeSessionsHandler } from "./routes.ts";

/**
 * The sessions function as Lambda runs it: handler.ts imported with its environment (dynalite, a local OIDC
 * provider), driven with real-shaped function-URL events. Time moves through the shared app clock.
 */
let idp: LocalIdentityProvider;
let impostor: LocalIdentityProvider;
let handler: (event: ReturnType<typeof urlEvent>) => Promise<FunctionUrlResult>;
const clock = new SettableClock(new Date());
const logLines: string[] = [];
const seconds = () => Math.floor(clock.now().getTime() / 1000);

beforeAll(async () => {
  [idp, impostor] = await Promise.all([startLocalIdentityProvider(), startLocalIdentityProvider()]);
  const tableName = uniqueName("sessions");
  await createSessionsTable(testDynamo(), tableName);
  Object.assign(process.env, {
    SESSIONS_TABLE_NAME: tableName,
    AWS_REGION: TEST_REGION,
    AWS_ENDPOINT_URL_DYNAMODB: engines().dynamoEndpoint,
    OIDC_PROVIDERS: JSON.stringify({ local: { issuer: idp.issuer, audience: idp.audience, jwksUrl: idp.jwksUrl } }),
    SESSION_POLICY: JSON.stringify({ idleTimeoutSeconds: 3600, touchIntervalSeconds: 60, maxSessionsPerUser: 3 }),
  });
  setClockSource(() => clock.now());
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    logLines.push(String(chunk));
    return true;
  });
  ({ handler } = await import("./handler.ts"));
});
afterAll(async () => {
  vi.restoreAllMocks();
  await Promise.all([idp.stop(), impostor.stop()]);
});

interface Created {
  readonly session_id: string;
  readonly user_id: string;
  readonly provider: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly idle_expires_at: string;
}
const call = (request: UrlRequest) => handler(urlEvent(request));
const idToken = (sub: string, provider = idp) => provider.sign({ sub }, { iat: seconds() });
const signIn = async (sub: string, device?: string) => {
  const result = await call({
    method: "POST",
    path: "/auth/session",
    body: { provider: "local", id_token: await idToken(sub), ...(device ? { device } : {}) },
  });
  expect(result.statusCode).toBe(201);
  return bodyOf(result) as Created;
};
const validate = async (token: string) =>
  bodyOf(await call({ method: "POST", path: "/auth/validate", body: { session_id: token } }));

describe("the sessions function", () => {
  it("signs in with a verified ID token, validates, lists, and logs out one device", async () => {
    const user = uniqueName("alice");
    const phone = await signIn(user, "iPhone");
    expect(phone).toMatchObject({ user_id: user, provider: "local" });
    expect(phone.session_id).toMatch(/^[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(phone.expires_at) - Date.parse(phone.created_at)).toBe(30 * 86_400_000);
    expect(Date.parse(phone.idle_expires_at) - Date.parse(phone.created_at)).toBe(3_600_000);
    clock.advance(1000);
    const laptop = await signIn(user, "laptop");

    expect(await validate(phone.session_id)).toMatchObject({ valid: true, user_id: user, provider: "local" });
    const listed = await call({ path: "/auth/sessions", bearer: laptop.session_id });
    expect(listed.statusCode).toBe(200);
    const sessions = (bodyOf(listed) as { sessions: Array<Record<string, unknown>> }).sessions;
    expect(sessions.map((s) => [s.device, s.current])).toEqual([
      ["laptop", true],
      ["iPhone", false],
    ]);
    expect(Object.keys(sessions[0] ?? {}).sort()).toEqual(
      ["created_at", "current", "device", "expires_at", "id", "last_seen_at", "provider"].sort(),
    );

    const phoneId = phone.session_id?.split(".")[0];
    const revoked = await call({ method: "DELETE", path: `/auth/sessions/${phoneId}`, bearer: laptop.session_id });
    expect(revoked.statusCode).toBe(204);
    expect(await validate(phone.session_id)).toEqual({ valid: false, reason: "revoked" });

    expect((await call({ method: "DELETE", path: "/auth/session", bearer: laptop.session_id })).statusCode).toBe(204);
    expect((await call({ path: "/auth/sessions", bearer: laptop.session_id })).statusCode).toBe(401);
  });

  it("logs every device out and says how many", async () => {
    const user = uniqueName("bob");
    const first = await signIn(user);
    await signIn(user);
    const result = await call({ method: "DELETE", path: "/auth/sessions", bearer: first.session_id });
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toEqual({ revoked: 2 });
    expect(await validate(first.session_id)).toEqual({ valid: false, reason: "revoked" });
  });

  it("expires an idle session, and answers an unknown one as unknown", async () => {
    const session = await signIn(uniqueName("carol"));
    clock.advance(3_601_000);
    expect(await validate(session.session_id)).toEqual({ valid: false, reason: "expired" });
    expect(await validate("not-a-session")).toEqual({ valid: false, reason: "unknown" });
  });

  it("checks the table on GET /health, and names it when it is missing", async () => {
    const result = await call({ path: "/health" });
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ status: "healthy", checks: { sessions_table: "ok" } });
    const missing = makeSessionsHandler(
      ManagedRuntime.make(sessionsLayerFromEnv({ ...process.env, SESSIONS_TABLE_NAME: "no_such_table" })),
      makeLogger({}, () => {}),
    );
    const down = await missing(urlEvent({ path: "/health" }));
    expect(down.statusCode).toBe(503);
    expect(bodyOf(down)).toMatchObject({ status: "unhealthy", checks: { sessions_table: "failed" } });
  });

  it("never logs a token, a secret or an ID token", async () => {
    logLines.length = 0;
    const token = await idToken("dave");
    const created = await call({
      method: "POST",
      path: "/auth/session",
      body: { provider: "local", id_token: token, oauth_tokens: { access_token: "oauth-secret-value" } },
    });
    const session = (bodyOf(created) as { session_id: string }).session_id;
    await call({ path: "/auth/sessions", bearer: session });
    await validate(session);
    const logs = logLines.join("");
    expect(logLines.length).toBeGreaterThanOrEqual(3);
    expect(logs).toContain('"user_id":"dave"');
    for (const secret of [token, session, session.split(".")[1] ?? "", "oauth-secret-value"]) {
      expect(logs).not.toContain(secret);
    }
  });
});
