import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verifyWebhook } from "./signature.ts";

/**
 * A real HTTP webhook endpoint: it verifies every POST with the Standard Webhooks secret and records it. Used by
 * tests (including scripted failures) and by the local runtime's `GET /_local/webhooks`.
 *
 * Scripted answers (`respondWith`, called with the 1-based number of this request and the request's webhook id
 * and parsed body) apply to requests that verify; a request that does not verify always gets 401,
 * as a real receiver would answer. Besides HTTP statuses, `0` holds the request open without answering (a hung
 * receiver, until the client gives up or the receiver closes) and `-1` drops the connection without a response.
 *
 * A failure set with `failWith` (the local console's switch) answers every verified request instead of the script:
 * 500, 410, 429 with `Retry-After`, or a hang, so that retries, permanent failures and dead-lettering can be
 * watched; `failWith(undefined)` goes back to the script.
 *
 * With `logFile`, each request is appended to it (one JSON line) before it is answered, and the file's earlier
 * lines are loaded on start: what a receiver answered survives its process being killed.
 */
export interface ReceivedWebhook {
  readonly webhook_id: string;
  readonly verified: boolean;
  /** The request's headers (absent in entries logged before they were kept). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: unknown;
  readonly received_at: string;
  /** What the receiver answered: an HTTP status, 0 for a hang, -1 for a dropped connection. */
  readonly status: number;
  /** Why verification failed, when it did. */
  readonly reason?: string;
}

export interface WebhookReceiver {
  readonly url: string;
  received(): ReadonlyArray<ReceivedWebhook>;
  respondWith(statuses: number[] | Script): void;
  /** Answers every verified request with this failure until called with undefined. */
  failWith(failure: ReceiverFailure | undefined): void;
  failure(): ReceiverFailure | undefined;
  close(): Promise<void>;
}

/** What the receiver can be switched to answer (a hang holds the request open: the sender's timeout ends it). */
export type ReceiverFailure =
  | { readonly status: 500 | 410 }
  | { readonly status: 429; readonly retryAfterSeconds: number }
  | { readonly status: typeof HANG };

/** Answers one verified request: its 1-based number, its `webhook-id` and its parsed body. */
export type Script = (count: number, request: { readonly webhookId: string; readonly body: unknown }) => number;

export const HANG = 0;
export const DROP = -1;
const MAX_BODY_BYTES = 1024 * 1024;

const readBody = (request: IncomingMessage): Promise<string | undefined> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on("end", () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });

const parseBody = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/**
 * Earlier entries of a log file. A line cut short by a kill mid-write is skipped, and ended, so that the next
 * entry starts a line of its own.
 */
const loadLog = (file: string): ReceivedWebhook[] => {
  if (!existsSync(file)) return [];
  const text = readFileSync(file, "utf8");
  if (text !== "" && !text.endsWith("\n")) appendFileSync(file, "\n");
  return text.split("\n").flatMap((line) => {
    try {
      return line.trim() === "" ? [] : [JSON.parse(line) as ReceivedWebhook];
    } catch {
      return [];
    }
  });
};

const flatHeaders = (request: IncomingMessage): Record<string, string> =>
  Object.fromEntries(
    Object.entries(request.headers).flatMap(([name, value]) =>
      value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]],
    ),
  );

export const startWebhookReceiver = async (options: {
  secret: string;
  port?: number;
  host?: string;
  clock?: () => Date;
  logFile?: string;
}): Promise<WebhookReceiver> => {
  const clock = options.clock ?? (() => new Date());
  const received: ReceivedWebhook[] = options.logFile ? loadLog(options.logFile) : [];
  let script: Script = () => 200;
  let failure: ReceiverFailure | undefined;

  const answer = (response: ServerResponse, status: number, retryAfterSeconds?: number): void => {
    if (status === HANG) return;
    if (status === DROP) {
      response.socket?.destroy();
      return;
    }
    const retryAfter = retryAfterSeconds === undefined ? {} : { "retry-after": String(retryAfterSeconds) };
    response.writeHead(status, { "content-type": "application/json", ...retryAfter }).end(JSON.stringify({ status }));
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    if (request.method !== "POST") {
      response.writeHead(405, { allow: "POST" }).end();
      return;
    }
    const text = await readBody(request);
    if (text === undefined) {
      response.writeHead(413).end();
      return;
    }
    const now = clock();
    const headers = flatHeaders(request);
    const check = verifyWebhook({ secret: options.secret, headers, body: text, nowSeconds: now.getTime() / 1000 });
    const webhookId = headers["webhook-id"] ?? "";
    const failing = check.ok ? failure : undefined;
    const status = !check.ok
      ? 401
      : (failing?.status ?? script(received.length + 1, { webhookId, body: parseBody(text) }));
    const entry: ReceivedWebhook = {
      webhook_id: headers["webhook-id"] ?? "",
      verified: check.ok,
      headers,
      body: parseBody(text),
      received_at: now.toISOString(),
      status,
      ...(check.ok ? {} : { reason: check.reason }),
    };
    received.push(entry);
    // Written before the answer, synchronously: a sender that saw the answer finds the entry after any crash.
    if (options.logFile) appendFileSync(options.logFile, `${JSON.stringify(entry)}\n`);
    answer(response, status, failing && "retryAfterSeconds" in failing ? failing.retryAfterSeconds : undefined);
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => {
      if (!response.headersSent) response.writeHead(400).end();
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host;

  return {
    url: `http://${urlHost}:${port}/webhook`,
    received: () => [...received],
    respondWith: (statuses) => {
      script = typeof statuses === "function" ? statuses : (count) => statuses[count - 1] ?? 200;
    },
    failWith: (next) => {
      failure = next;
    },
    failure: () => failure,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
};
