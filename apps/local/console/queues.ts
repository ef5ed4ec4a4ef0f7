import { control, errorOf, type QueueInfo } from "./api.ts";
import { byId, h, json, show, table } from "./dom.ts";

/**
 * Queues: the deliveries queue and its dead-letter queue with visible / in-flight / delayed counts; a peek at
 * messages (a short receive put back at once); "retry now" for messages waiting out a backoff; and a redrive of
 * the dead-letter queue back to the source.
 */
interface Peeked {
  readonly message_id: string;
  readonly body: unknown;
  readonly receive_count: number;
  readonly sent_at: string | null;
}

const isDeadLetter = (queue: QueueInfo) => queue.name.endsWith("-dlq");

const act = async (label: string, method: string, path: string, after: () => Promise<void>): Promise<unknown> => {
  const status = byId("queue-result");
  status.textContent = `${label}…`;
  const answer = await control(method, path);
  status.textContent =
    answer.status === 200
      ? `${label}: ${summary(answer.body)}`
      : `${label} failed: ${errorOf(answer.body) ?? answer.status}`;
  // A peek shown before a redrive or a retry is out of date: it goes.
  if (method === "POST") show(byId("queue-messages"), null, () => null);
  await after();
  return answer.status === 200 ? answer.body : undefined;
};

const summary = (body: unknown): string => {
  const result = body as { moved?: number; failed?: number; released?: number; messages?: unknown[] };
  if (result.moved !== undefined) return `${result.moved} moved back to the source, ${result.failed ?? 0} failed`;
  if (result.released !== undefined) return `${result.released} made visible now`;
  return `${result.messages?.length ?? 0} messages (put back, still in the queue)`;
};

const peek = async (queue: string, after: () => Promise<void>): Promise<void> => {
  const result = (await act(`Peek ${queue}`, "GET", `/_local/queues/${queue}/messages`, after)) as
    | { messages: Peeked[] }
    | undefined;
  const region = byId("queue-messages");
  show(region, { queue, result }, () =>
    result
      ? table(
          `Messages in ${queue}`,
          ["message", "receives", "sent", "body"],
          result.messages.map((message) => [
            h("code", {}, message.message_id.slice(0, 8)),
            message.receive_count,
            message.sent_at ?? "—",
            h("pre", { class: "inline-json" }, json(message.body)),
          ]),
        )
      : null,
  );
};

export const refreshQueues = async (after: () => Promise<void>): Promise<QueueInfo[]> => {
  const { body } = await control<{ queues: QueueInfo[] }>("GET", "/_local/queues");
  const queues = body.queues;
  show(byId("queue-list"), queues, () =>
    table(
      "Queues",
      ["queue", "visible", "in flight", "delayed", ""],
      queues.map((queue) => [
        h("strong", {}, queue.name),
        queue.visible,
        queue.in_flight,
        queue.delayed,
        h(
          "span",
          { class: "buttons" },
          h(
            "button",
            { type: "button", "aria-label": `Peek at ${queue.name}`, onclick: () => void peek(queue.name, after) },
            "Peek",
          ),
          isDeadLetter(queue)
            ? h(
                "button",
                {
                  type: "button",
                  "aria-label": `Redrive ${queue.name} to its source`,
                  onclick: () =>
                    void act(`Redrive ${queue.name}`, "POST", `/_local/queues/${queue.name}/redrive`, after),
                },
                "Redrive to source",
              )
            : h(
                "button",
                {
                  type: "button",
                  "aria-label": `Retry waiting messages of ${queue.name} now`,
                  title: "Messages the dispatcher left waiting out a backoff become visible now",
                  onclick: () =>
                    void act(`Retry ${queue.name}`, "POST", `/_local/queues/${queue.name}/retry-now`, after),
                },
                "Retry now",
              ),
        ),
      ]),
    ),
  );
  return queues;
};
