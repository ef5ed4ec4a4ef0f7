import { HttpError } from "./errors.ts";
import type { FunctionUrlEvent } from "./events.ts";

/** Function URLs accept up to 6 MB; the contract caps bodies at 64 KiB. */
export const MAX_BODY_BYTES = 64 * 1024;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The caller's `x-request-id` when it is a sane token, else the one AWS assigned. */
export const requestIdOf = (event: FunctionUrlEvent, headers: Record<string, string>): string => {
  const supplied = headers["x-request-id"];
  return supplied && REQUEST_ID.test(supplied) ? supplied : event.requestContext.requestId;
};

export const lowerCaseHeaders = (event: FunctionUrlEvent): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  return headers;
};

export const queryOf = (event: FunctionUrlEvent): Record<string, string> => {
  const query: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(event.rawQueryString ?? "")) query[name] ??= value;
  return query;
};

export const bearerOf = (headers: Record<string, string>): string | undefined => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? "");
  return match?.[1];
};

const isJsonType = (contentType: string): boolean => {
  const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
  return mediaType === "application/json" || mediaType.endsWith("+json");
};

/**
 * The JSON body, or the HttpError that refuses it: 413 over 64 KiB, 415 when the declared type is not JSON,
 * 400 when it does not parse. An empty body is `undefined` (routes that need one report the missing fields).
 */
export const parseBody = (event: FunctionUrlEvent, headers: Record<string, string>): unknown | HttpError => {
  const raw = event.body ?? "";
  if (raw === "") return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : Buffer.from(raw, "utf8");
  if (bytes.length > MAX_BODY_BYTES) {
    return new HttpError(
      413,
      "payload_too_large",
      `body: ${bytes.length} bytes is over the ${MAX_BODY_BYTES}-byte limit`,
    );
  }
  const contentType = headers["content-type"];
  if (contentType !== undefined && !isJsonType(contentType)) {
    return new HttpError(
      415,
      "unsupported_media_type",
      `content-type: expected application/json, got ${contentType.slice(0, 80)}`,
    );
  }
  const text = bytes.toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    return new HttpError(400, "invalid_json", `body: not valid JSON (${(error as Error).message.slice(0, 120)})`);
  }
};
