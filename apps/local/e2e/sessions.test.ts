import { describe, expect, it } from "vitest";
import { call, metricDelta, metricSums, useLocalStack } from "./client.ts";

/** Sessions end to end: a local ID token in, sessions out, over the function URL only. */
const stack = useLocalStack();

const signIn = async (sub: string, device: string) => {
  const sessions = stack().url("sessions");
  const idToken = await stack().idToken(sub, `${sub}@example.com`);
  return call(sessions, "POST", "/auth/session", { body: { provider: "local", id_token: idToken, device } });
};

describe("sessions, end to end", () => {
  it("signs in with a local ID token, validates, lists, and logs out everywhere", async () => {
    const sessions = stack().url("sessions");
    const before = await metricSums(stack(), "Rendezvous/Sessions");
    await stack().setClock("2026-05-01T12:00:00Z");
    const phone = await signIn("alice", "iPhone");
    expect(phone.status).toBe(201);
    expect(phone.body).toMatchObject({ user_id: "alice", provider: "local" });
    const phoneToken = (phone.body as { session_id: string }).session_id;
    const laptop = await signIn("alice", "Laptop");
    const laptopToken = (laptop.body as { session_id: string }).session_id;

    const valid = await call(sessions, "POST", "/auth/validate", { body: { session_id: phoneToken } });
    expect(valid.body).toMatchObject({ valid: true, user_id: "alice", provider: "local" });

    const listed = await call(sessions, "GET", "/auth/sessions", { bearer: laptopToken });
    expect(listed.status).toBe(200);
    const list = (listed.body as { sessions: Array<{ device: string; current: boolean }> }).sessions;
    expect(list.map((s) => s.device).sort()).toEqual(["Laptop", "iPhone"]);
    expect(list.find((s) => s.current)?.device).toBe("Laptop");

    const revoked = await call(sessions, "DELETE", "/auth/sessions", { bearer: phoneToken });
    expect(revoked).toMatchObject({ status: 200, body: { revoked: 2 } });
    for (const token of [phoneToken, laptopToken]) {
      const after = await call(sessions, "POST", "/auth/validate", { body: { session_id: token } });
      expect(after.body).toMatchObject({ valid: false });
    }
    expect((await call(sessions, "GET", "/auth/sessions", { bearer: laptopToken })).status).toBe(401);

    // The sessions metrics (GET /_local/metrics, from the EMF lines the function wrote) count exactly that:
    // two sign-ins; three checks of a live session (validate, list, revoke-all); three of a revoked one.
    expect(await metricDelta(stack(), "Rendezvous/Sessions", before)).toEqual({
      SessionsCreated: 2,
      "SessionsValidated{Result=valid}": 3,
      "SessionsValidated{Result=revoked}": 3,
      "SessionsRevoked{Scope=all}": 2,
    });
  });

  it("expires an idle session when the runtime clock moves past the idle timeout", async () => {
    const sessions = stack().url("sessions");
    await stack().setClock("2026-06-01T12:00:00Z");
    const signedIn = await signIn("bob", "Tablet");
    const token = (signedIn.body as { session_id: string }).session_id;
    await stack().control("POST", "/_local/clock", { advance: "P8D" });
    const after = await call(sessions, "POST", "/auth/validate", { body: { session_id: token } });
    expect(after.body).toEqual({ valid: false, reason: "expired" });
  });

  it("refuses a token the local provider did not sign, and another user's id", async () => {
    const sessions = stack().url("sessions");
    const before = await metricSums(stack(), "Rendezvous/Sessions");
    const idToken = await stack().idToken("carol");
    const [header, payload] = idToken.split(".");
    const forged = `${header}.${payload}.${Buffer.from("not the signature").toString("base64url")}`;
    const refused = await call(sessions, "POST", "/auth/session", { body: { provider: "local", id_token: forged } });
    expect(refused.status).toBe(401);
    const mismatch = await call(sessions, "POST", "/auth/session", {
      body: { provider: "local", id_token: idToken, user_id: "mallory" },
    });
    expect(mismatch.status).toBe(403);
    const unknown = await call(sessions, "POST", "/auth/session", { body: { provider: "okta", id_token: idToken } });
    expect(unknown.status).toBe(400);
    expect(await metricDelta(stack(), "Rendezvous/Sessions", before)).toEqual({
      "SignInFailures{Reason=invalid_token}": 1,
      "SignInFailures{Reason=subject_mismatch}": 1,
      "SignInFailures{Reason=unknown_provider}": 1,
    });
  });
});
