import urlSample from "./aws-events/function-url-iam.json" with { type: "json" };
import sqsSample from "./aws-events/sqs-batch.json" with { type: "json" };
import type { FunctionUrlEvent, ScheduledEvent, SqsEvent, SqsRecord } from "./events.ts";

/**
 * Real-shaped AWS events for handler tests: AWS's published samples (aws-events/, from Powertools for Lambda),
 * with only what a test names changed. One builder per event kind, shared by every handler test.
 */

export interface UrlRequest {
  readonly method?: string;
  readonly path?: string;
  readonly query?: string;
  readonly body?: unknown;
  /** Sent as-is when a string (to test bad JSON); otherwise JSON-encoded. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
  readonly bearer?: string;
  readonly base64?: boolean;
}

let counter = 0;

export const urlEvent = (request: UrlRequest = {}): FunctionUrlEvent => {
  const method = request.method ?? "GET";
  const path = request.path ?? "/";
  const body = request.rawBody ?? (request.body === undefined ? undefined : JSON.stringify(request.body));
  const headers: Record<string, string> = {
    "content-type": "application/json",
    ...(request.bearer ? { authorization: `Bearer ${request.bearer}` } : {}),
    ...request.headers,
  };
  return {
    ...(urlSample as unknown as FunctionUrlEvent),
    rawPath: path,
    rawQueryString: request.query ?? "",
    cookies: [],
    queryStringParameters: Object.fromEntries(new URLSearchParams(request.query ?? "")),
    headers,
    requestContext: {
      ...urlSample.requestContext,
      requestId: `req-${++counter}`,
      timeEpoch: Date.now(),
      http: { ...urlSample.requestContext.http, method, path },
    },
    body: body === undefined ? null : request.base64 ? Buffer.from(body).toString("base64") : body,
    isBase64Encoded: request.base64 ?? false,
  };
};

/** Parses a handler's JSON answer for assertions. */
export const bodyOf = (result: { body: string }): unknown => (result.body === "" ? undefined : JSON.parse(result.body));

export const sqsRecord = (body: string, overrides: Partial<SqsRecord> & { receiveCount?: number } = {}): SqsRecord => {
  const template = sqsSample.Records[0] as unknown as SqsRecord;
  const { receiveCount, ...rest } = overrides;
  return {
    ...template,
    messageId: `msg-${++counter}`,
    body,
    attributes: { ...template.attributes, ApproximateReceiveCount: String(receiveCount ?? 1) },
    ...rest,
  };
};

export const sqsEvent = (records: readonly SqsRecord[]): SqsEvent => ({ Records: records });

/** The Input this project's EventBridge Scheduler schedules send (infra/ sets it). */
export const scheduledEvent = (schedule: string, scheduledTime: Date | string = new Date()): ScheduledEvent => ({
  source: "rendezvous.schedule",
  schedule,
  scheduled_time: new Date(scheduledTime).toISOString(),
});
