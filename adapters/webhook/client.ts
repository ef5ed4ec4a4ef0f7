import { signWebhook } from "./signature.ts";

/**
 * One webhook POST and what the caller should do next. The caller (the dispatcher) owns retries: it turns a
 * `retry` into an SQS visibility delay of `backoffSeconds(...)`, so a retried delivery costs nothing while it waits.
 */
export type WebhookOutcome =
  | { kind: "delivered"; status: number }
  | { kind: "retry"; status?: number; retryAfterSeconds?: number; reason: string }
  | { kind: "permanent"; status: number; reason: string };

export const DEFAULT_TIMEOUT_MS = 5000;
const BASE_BACKOFF_SECONDS = 30;
const MAX_BACKOFF_SECONDS = 15 * 60;
/** SQS's maximum visibility timeout: a longer Retry-After cannot be honoured by one ChangeMessageVisibility. */
export const MAX_RETRY_AFTER_SECONDS = 12 * 60 * 60;
const REASON_LIMIT = 200;

/** 408 Request Timeout, 429 Too Many Requests and every 5xx may succeed later; other 4xx will not. */
const isRetryableStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

/** `Retry-After` as delay-seconds or an HTTP-date, in whole seconds from `now` (never negative). */
export const parseRetryAfter = (value: string | null, now: Date): number | undefined => {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  // Every HTTP-date form starts with the day name; this keeps Date.parse's leniency ("-5" is a year) out.
  const date = /^[A-Za-z]{3}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - now.getTime()) / 1000));
};

/** Exponential backoff without jitter: 30 s, 60 s, ... capped at 15 min; a larger Retry-After wins (max 12 h). */
export const backoffSeconds = (receiveCount: number, retryAfterSeconds?: number): number => {
  const attempt = Number.isFinite(receiveCount) ? Math.max(1, Math.floor(receiveCount)) : 1;
  const exponential = Math.min(MAX_BACKOFF_SECONDS, BASE_BACKOFF_SECONDS * 2 ** Math.min(attempt - 1, 30));
  const requested =
    retryAfterSeconds !== undefined && Number.isFinite(retryAfterSeconds) ? Math.ceil(retryAfterSeconds) : 0;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(exponential, requested));
};

const shortText = async (response: Response): Promise<string> => {
  try {
    return (await response.text()).slice(0, REASON_LIMIT);
  } catch {
    return "";
  }
};

const describeError = (error: unknown, timeoutMs: number): string => {
  if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
    return `timed out after ${timeoutMs} ms`;
  }
  const cause = error instanceof Error ? (error.cause as { code?: string; message?: string } | undefined) : undefined;
  const detail = cause?.code ?? cause?.message ?? (error instanceof Error ? error.message : String(error));
  return `network error: ${detail}`;
};

/**
 * POSTs `body` signed per Standard Webhooks, with `webhook-id` = `id` (the delivery id, identical on every retry,
 * so the receiver can deduplicate). Never throws: every failure is classified.
 */
export const postWebhook = async (input: {
  url: string;
  secret: string;
  id: string;
  body: string;
  now: Date;
  timeoutMs?: number;
}): Promise<WebhookOutcome> => {
  const timeoutMs = input.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const timestampSeconds = Math.floor(input.now.getTime() / 1000);
  let signature: string;
  try {
    signature = signWebhook({ secret: input.secret, id: input.id, timestampSeconds, body: input.body });
  } catch {
    // A configuration error, not the message's fault: retrying lets a fixed secret deliver it.
    return { kind: "retry", reason: "invalid webhook secret" };
  }
  let response: Response;
  try {
    response = await fetch(input.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "rendezvous-webhooks/1",
        "webhook-id": input.id,
        "webhook-timestamp": String(timestampSeconds),
        "webhook-signature": signature,
      },
      body: input.body,
      // A redirect is the receiver's misconfiguration; following it would re-send a signed body elsewhere.
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (error) {
    return { kind: "retry", reason: describeError(error, timeoutMs) };
  }
  const status = response.status;
  if (status >= 200 && status < 300) {
    await response.body?.cancel().catch(() => undefined);
    return { kind: "delivered", status };
  }
  const text = await shortText(response);
  const reason = `HTTP ${status}${text ? `: ${text}` : ""}`;
  if (isRetryableStatus(status)) {
    const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"), input.now);
    return retryAfterSeconds === undefined
      ? { kind: "retry", status, reason }
      : { kind: "retry", status, retryAfterSeconds, reason };
  }
  return { kind: "permanent", status, reason };
};
