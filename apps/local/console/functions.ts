import { control, type FunctionInfo, type Invocation } from "./api.ts";
import { callAs } from "./auth.ts";
import { byId, details, h, instant, json, show, table } from "./dom.ts";

/**
 * Functions: every manifest function with its URL, auth, triggers and needs; a form that sends a request to a
 * function URL (optionally as a signed-in user) and shows the response; recent invocations with their log lines
 * (GET /_local/invocations).
 */
const describeTrigger = (trigger: FunctionInfo["triggers"][number]): string => {
  if (trigger.kind === "schedule") return `schedule ${trigger.expression}`;
  if (trigger.kind === "queue") return `queue (batch ${trigger.batchSize})`;
  if (trigger.kind === "url") return `url (${trigger.auth})`;
  return trigger.kind;
};

/** `capability:action`, breakable after the colon (a narrow column wraps there, not mid-word). */
const need = (text: string, index: number) => {
  const [capability, action] = text.split(":");
  return [index > 0 ? ", " : "", `${capability}:`, h("wbr"), action ?? ""];
};

export const loadFunctions = async (): Promise<FunctionInfo[]> => {
  const { body } = await control<{ functions: FunctionInfo[] }>("GET", "/_local/functions");
  const functions = body.functions;
  show(byId("function-list"), functions, () =>
    table(
      "Functions",
      ["function and URL", "auth", "triggers", "needs"],
      functions.map((fn) => [
        h(
          "span",
          {},
          h("strong", {}, fn.name),
          fn.url ? h("br", {}) : null,
          fn.url ? h("code", { class: "small" }, fn.url) : null,
        ),
        fn.auth ?? "—",
        fn.triggers.map(describeTrigger).join(", "),
        fn.needs.length ? h("span", { class: "small" }, ...fn.needs.flatMap(need)) : "—",
      ]),
    ),
  );
  const options = (select: HTMLSelectElement, names: string[]) => {
    for (const name of names) select.appendChild(h("option", { value: name }, name));
  };
  options(
    byId<HTMLSelectElement>("request-function"),
    functions.filter((fn) => fn.url).map((fn) => fn.name),
  );
  options(
    byId<HTMLSelectElement>("invocation-filter"),
    functions.map((fn) => fn.name),
  );
  return functions;
};

const parseBody = (text: string): { ok: true; value: unknown } | { ok: false; message: string } => {
  if (text.trim() === "") return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return { ok: false, message: `JSON body: ${(error as Error).message}` };
  }
};

export const wireRequestForm = (): void => {
  const form = byId<HTMLFormElement>("request-form");
  const output = byId("request-response");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const body = parseBody(String(data.get("body") ?? ""));
    if (!body.ok) {
      output.textContent = body.message;
      return;
    }
    const user = String(data.get("user") ?? "").trim();
    output.textContent = "sending…";
    callAs(user || undefined, {
      function: String(data.get("function")),
      method: String(data.get("method")),
      path: String(data.get("path") ?? "/"),
      ...(body.value === undefined ? {} : { body: body.value }),
    }).then(
      (response) => {
        const headers = Object.entries(response.headers).map(([name, value]) => `${name}: ${value}`);
        output.textContent = `${response.status} (${response.duration_ms} ms)${user ? ` as ${user}` : ""}\n${headers.join("\n")}\n\n${json(response.body)}`;
      },
      (error: unknown) => {
        output.textContent = `failed: ${(error as Error).message}`;
      },
    );
  });
};

const logLine = (line: Record<string, unknown>): string => {
  const { level, message, timestamp, function: _fn, ...fields } = line;
  const rest = Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : "";
  return `${instant(String(timestamp ?? ""))} ${String(level ?? "").padEnd(5)} ${String(message ?? "")}${rest}`;
};

const statusClass = (status: Invocation["status"]): string => {
  if (status === undefined) return "running";
  return status === "ok" || (typeof status === "number" && status < 400) ? "ok" : "bad";
};

export const refreshInvocations = async (): Promise<void> => {
  const filter = byId<HTMLSelectElement>("invocation-filter").value;
  const query = filter ? `?function=${encodeURIComponent(filter)}&limit=20` : "?limit=20";
  const answer = await control<{ invocations: Invocation[] }>("GET", `/_local/invocations${query}`);
  const region = byId("invocations");
  if (answer.status === 404) {
    show(region, "absent", () => h("p", { class: "muted" }, "This runtime does not record invocations yet."));
    return;
  }
  const invocations = answer.body.invocations;
  show(region, invocations, () =>
    invocations.length === 0
      ? h("p", { class: "muted" }, "No invocations yet.")
      : h(
          "ul",
          { class: "plain", "aria-label": "Invocations, newest first" },
          ...invocations.map((inv) =>
            h(
              "li",
              {},
              details(
                `invocation-${inv.id}`,
                h(
                  "span",
                  { class: "row" },
                  h("span", {}, instant(inv.started_at)),
                  h("strong", {}, inv.function),
                  h("span", { class: "muted" }, inv.trigger),
                  h("span", { class: `status status-${statusClass(inv.status)}` }, String(inv.status ?? "running")),
                  h("span", {}, inv.duration_ms === undefined ? "…" : `${inv.duration_ms} ms`),
                ),
                inv.error ? h("p", { class: "error" }, inv.error) : null,
                h("pre", { class: "logs" }, inv.logs.length ? inv.logs.map(logLine).join("\n") : "(no log lines)"),
              ),
            ),
          ),
        ),
  );
};
