import { errorOf } from "./api.ts";
import { CONSOLE_DEVICE, callAs, forget } from "./auth.ts";
import { byId, h, instant, show, table } from "./dom.ts";

/**
 * A user's sessions, through the sessions function: listed with GET /auth/sessions and revoked with
 * DELETE /auth/sessions/{id}, signed in as that user with a session of the console's own.
 */
interface Session {
  readonly id: string;
  readonly device?: string;
  readonly provider: string;
  readonly created_at: string;
  readonly last_seen_at: string;
  readonly expires_at: string;
  readonly current: boolean;
}

const list = async (user: string): Promise<void> => {
  const region = byId("sessions-view");
  try {
    const answer = await callAs(user, { function: "sessions", method: "GET", path: "/auth/sessions" });
    if (answer.status !== 200) throw new Error(errorOf(answer.body) ?? String(answer.status));
    const sessions = (answer.body as { sessions: Session[] }).sessions;
    show(region, { user, sessions }, () =>
      table(
        `Sessions of ${user}`,
        ["session", "device", "created", "last seen", "expires", ""],
        sessions.map((session) => [
          h("code", {}, session.id.slice(0, 12)),
          session.current ? `${CONSOLE_DEVICE} (this console)` : (session.device ?? "—"),
          instant(session.created_at),
          instant(session.last_seen_at),
          instant(session.expires_at),
          h(
            "button",
            {
              type: "button",
              "aria-label": `Revoke session ${session.id.slice(0, 12)}`,
              onclick: () => void revoke(user, session),
            },
            "Revoke",
          ),
        ]),
      ),
    );
  } catch (error) {
    show(region, { user, error: String(error) }, () =>
      h("p", { class: "error" }, `sessions of ${user}: ${(error as Error).message}`),
    );
  }
};

const revoke = async (user: string, session: Session): Promise<void> => {
  const path = `/auth/sessions/${encodeURIComponent(session.id)}`;
  const answer = await callAs(user, { function: "sessions", method: "DELETE", path });
  const region = byId("sessions-view");
  if (answer.status !== 204) {
    show(region, { user, failed: answer.status }, () => h("p", { class: "error" }, `revoke: ${answer.status}`));
    return;
  }
  if (!session.current) return list(user);
  forget(user);
  show(region, { user, signedOut: true }, () => h("p", {}, `The console's own session as ${user} is revoked.`));
};

export const wireSessions = (): void => {
  const form = byId<HTMLFormElement>("sessions-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const user = String(new FormData(form).get("user") ?? "").trim();
    if (user) void list(user);
  });
};
