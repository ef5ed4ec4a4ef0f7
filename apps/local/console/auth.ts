import { callFunction, control, errorOf } from "./api.ts";

/**
 * Signed-in users for the request form and the sessions view, as a client app would sign them in: an ID token
 * from the local identity provider (POST /_local/id-token), exchanged at the sessions function
 * (POST /auth/session, provider "local") for a session, whose id is the Bearer token. One session per user is
 * kept in the page's memory and reused until the sessions function refuses it.
 */
const sessions = new Map<string, string>();

export const CONSOLE_DEVICE = "local console";

export const signIn = async (sub: string): Promise<string> => {
  const known = sessions.get(sub);
  if (known) return known;
  const minted = await control<{ id_token: string }>("POST", "/_local/id-token", { sub });
  if (minted.status !== 200) throw new Error(`ID token for ${sub}: ${errorOf(minted.body) ?? minted.status}`);
  const created = await callFunction({
    function: "sessions",
    method: "POST",
    path: "/auth/session",
    body: { provider: "local", id_token: minted.body.id_token, device: CONSOLE_DEVICE },
  });
  const sessionId = (created.body as { session_id?: unknown } | null)?.session_id;
  if (created.status !== 201 || typeof sessionId !== "string")
    throw new Error(`signing in ${sub}: ${created.status} ${errorOf(created.body) ?? ""}`.trim());
  sessions.set(sub, sessionId);
  return sessionId;
};

/** Forgets a user's session (it was refused, or revoked from the sessions view). */
export const forget = (sub: string): void => {
  sessions.delete(sub);
};

/** A request as `sub` (or nobody); a refused session is replaced once, by signing in again. */
export const callAs = async (
  sub: string | undefined,
  request: { function: string; method: string; path: string; body?: unknown },
) => {
  if (!sub) return callFunction(request);
  const first = await callFunction({ ...request, bearer: await signIn(sub) });
  if (first.status !== 401) return first;
  forget(sub);
  return callFunction({ ...request, bearer: await signIn(sub) });
};
