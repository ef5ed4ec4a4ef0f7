import { control, errorOf, type Webhook } from "./api.ts";
import { byId, details, h, instant, json, show } from "./dom.ts";

/**
 * Webhooks: what the local receiver got, newest first, with headers, body and the signature verdict; and the
 * switch that makes it answer 500, 410, 429 with Retry-After, or hang (POST /_local/webhooks/receiver).
 */
type Mode = { mode: string; retry_after_seconds?: number };

const describeMode = (mode: Mode): string =>
  mode.mode === "ok"
    ? "answering 200"
    : mode.mode === "hang"
      ? "hanging (no answer)"
      : `answering ${mode.mode}${mode.retry_after_seconds === undefined ? "" : `, Retry-After ${mode.retry_after_seconds} s`}`;

const showMode = (mode: Mode): void => {
  byId("receiver-mode").textContent = `The receiver is ${describeMode(mode)}.`;
};

export const wireReceiver = (after: () => Promise<void>): void => {
  const form = byId<HTMLFormElement>("receiver-form");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const mode = String(data.get("mode") ?? "ok");
    const seconds = Number(data.get("retry_after_seconds"));
    const body = mode === "429" ? { mode, retry_after_seconds: seconds } : { mode };
    void control<Mode>("POST", "/_local/webhooks/receiver", body).then(async (answer) => {
      if (answer.status === 200) showMode(answer.body);
      else byId("receiver-mode").textContent = errorOf(answer.body) ?? `failed: ${answer.status}`;
      await after();
    });
  });
  void control<Mode>("GET", "/_local/webhooks/receiver").then((answer) => {
    if (answer.status !== 200) return;
    showMode(answer.body);
    const radio = form.querySelector<HTMLInputElement>(`input[name=mode][value="${answer.body.mode}"]`);
    if (radio) radio.checked = true;
  });
};

const verdict = (webhook: Webhook) =>
  webhook.verified
    ? h("span", { class: "status status-ok" }, "valid signature")
    : h("span", { class: "status status-bad" }, `invalid signature: ${webhook.reason ?? "unknown"}`);

const answered = (status: number) => (status === 0 ? "hung" : status === -1 ? "dropped" : String(status));

export const refreshWebhooks = async (): Promise<void> => {
  const { body } = await control<Webhook[]>("GET", "/_local/webhooks");
  const newest = [...body].reverse().slice(0, 100);
  show(byId("webhook-list"), newest, () =>
    newest.length === 0
      ? h("p", { class: "muted" }, "Nothing received yet.")
      : h(
          "ul",
          { class: "plain", "aria-label": "Received webhooks, newest first" },
          ...newest.map((webhook, index) => {
            const payload = webhook.body as { message?: string; user_id?: string } | null;
            return h(
              "li",
              {},
              details(
                `webhook-${webhook.webhook_id}-${webhook.received_at}-${newest.length - index}`,
                h(
                  "span",
                  { class: "row" },
                  h("span", {}, instant(webhook.received_at)),
                  verdict(webhook),
                  h(
                    "span",
                    { class: `status status-${webhook.status >= 200 && webhook.status < 300 ? "ok" : "bad"}` },
                    `answered ${answered(webhook.status)}`,
                  ),
                  h("span", {}, payload?.message ?? ""),
                ),
                h("p", { class: "small" }, "webhook-id ", h("code", {}, webhook.webhook_id)),
                h(
                  "pre",
                  { class: "logs" },
                  Object.entries(webhook.headers ?? {})
                    .map(([name, value]) => `${name}: ${value}`)
                    .join("\n"),
                ),
                h("pre", { class: "logs" }, json(webhook.body)),
              ),
            );
          }),
        ),
  );
};
