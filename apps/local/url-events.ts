import type { IncomingHttpHeaders } from "node:http";
import type { FunctionUrlEvent } from "../http/events.ts";

/**
 * HTTP requests as Lambda function URLs hand them to a handler (payload format 2.0) and handler results back as
 * the HTTP response a function URL would send. The shape follows AWS's sample (apps/http/aws-events/).
 */
export interface LocalRequest {
  readonly method: string;
  /** Path and query, as on the request line. */
  readonly target: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly now: Date;
  readonly auth: "NONE" | "AWS_IAM";
}

export interface LocalResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly cookies: readonly string[];
  readonly body: Buffer;
}

/** Bodies a function URL passes as text; anything else (or no content type) arrives base64-encoded. */
const isTextual = (contentType: string | undefined): boolean => {
  const type = (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  return (
    type.startsWith("text/") ||
    /^application\/([\w.+-]+\+)?(json|xml|javascript)$/.test(type) ||
    type === "application/x-www-form-urlencoded"
  );
};

const headerText = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value.join(",") : value;

/** Query parameters as a function URL decodes them: repeated names joined with commas. */
const queryParameters = (raw: string): Record<string, string> | undefined => {
  if (raw === "") return undefined;
  const result: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    result[name] = name in result ? `${result[name]},${value}` : value;
  }
  return result;
};

const clfTime = (date: Date): string => {
  const [, day, month, year, time] = /^\w+, (\d+) (\w+) (\d+) ([\d:]+)/.exec(date.toUTCString()) ?? [];
  return `${day}/${month}/${year}:${time} +0000`;
};

export const toFunctionUrlEvent = (request: LocalRequest): FunctionUrlEvent => {
  const queryStart = request.target.indexOf("?");
  const path = queryStart < 0 ? request.target : request.target.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? "" : request.target.slice(queryStart + 1);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const text = headerText(value);
    if (text !== undefined && name !== "cookie") headers[name] = text;
  }
  headers["x-forwarded-for"] = request.sourceIp;
  headers["x-forwarded-proto"] = "http";
  const cookies = headerText(request.headers.cookie)?.split(/;\s*/).filter(Boolean);
  const query = queryParameters(rawQueryString);
  const textual = isTextual(headers["content-type"]);
  const host = headers.host ?? "localhost";
  const iam = { accessKey: "LOCAL", accountId: "000000000000", callerId: "LOCAL", userArn: "local", userId: "LOCAL" };
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString,
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(query ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: request.auth === "AWS_IAM" ? iam.accountId : "anonymous",
      apiId: "local",
      // Locally an AWS_IAM URL takes unsigned requests; the event still says who "signed" so handlers see the shape.
      ...(request.auth === "AWS_IAM" ? { authorizer: { iam } } : {}),
      domainName: host,
      domainPrefix: host.split(".")[0] ?? host,
      http: {
        method: request.method,
        path,
        protocol: "HTTP/1.1",
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: request.requestId,
      routeKey: "$default",
      stage: "$default",
      time: clfTime(request.now),
      timeEpoch: request.now.getTime(),
    },
    ...(request.body.length > 0
      ? { body: textual ? request.body.toString("utf8") : request.body.toString("base64") }
      : {}),
    isBase64Encoded: request.body.length > 0 && !textual,
  } as FunctionUrlEvent;
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null;

/**
 * A handler's return value as the response, by the function URL rules: an object with `statusCode` is a full
 * response; anything else is a 200 JSON body.
 */
export const fromFunctionUrlResult = (result: unknown): LocalResponse => {
  if (!isRecord(result) || typeof result.statusCode !== "number") {
    const body = result === undefined ? "" : typeof result === "string" ? result : JSON.stringify(result);
    return { status: 200, headers: { "content-type": "application/json" }, cookies: [], body: Buffer.from(body) };
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(isRecord(result.headers) ? result.headers : {})) {
    if (value !== undefined && value !== null) headers[name.toLowerCase()] = String(value);
  }
  const cookies = Array.isArray(result.cookies) ? result.cookies.map(String) : [];
  const text = typeof result.body === "string" ? result.body : "";
  const body = result.isBase64Encoded === true ? Buffer.from(text, "base64") : Buffer.from(text, "utf8");
  return { status: result.statusCode, headers, cookies, body };
};
