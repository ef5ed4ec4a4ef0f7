import * as Schema from "effect/Schema";
import { type Answer, decode, error } from "./control-answers.ts";
import { errorText } from "./invoke.ts";

/**
 * `POST /_local/request`: the console's request form, sent from the control server to a function URL, so that the
 * page talks to one origin only (whatever `CORS_ORIGINS` says) and shows every response header, not only those
 * CORS exposes. The request is what a client would send: the method, the path, a JSON body and a Bearer token.
 */
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
const RequestBody = Schema.Struct({
  function: Schema.NonEmptyString,
  method: Schema.Literals(METHODS),
  path: Schema.String.check(
    Schema.makeFilter(
      (value: string) => (/^\/[^\s#]*$/.test(value) && value.length <= 2048) || "expected a path like /users?limit=5",
    ),
  ),
  body: Schema.optionalKey(Schema.Unknown),
  bearer: Schema.optionalKey(Schema.NonEmptyString),
});

/** The longest a function runs (the matcher's timeout) and a margin. */
const REQUEST_TIMEOUT_MS = 90_000;

const parsed = (text: string): unknown => {
  try {
    return text === "" ? null : JSON.parse(text);
  } catch {
    return text;
  }
};

export const sendToFunction = async (urls: Readonly<Record<string, string>>, input: unknown): Promise<Answer> => {
  const decoded = decode(RequestBody, input);
  if (!decoded.ok) return decoded.answer;
  const request = decoded.value;
  const base = urls[request.function];
  if (!base) {
    const have = Object.keys(urls).join(", ");
    return error(400, "validation_failed", `function: ${request.function} has no URL (have: ${have})`);
  }
  const hasBody = request.body !== undefined && request.method !== "GET";
  const started = performance.now();
  let response: Response;
  let text: string;
  try {
    response = await fetch(`${base}${request.path}`, {
      method: request.method,
      headers: {
        ...(hasBody ? { "content-type": "application/json" } : {}),
        ...(request.bearer ? { authorization: `Bearer ${request.bearer}` } : {}),
      },
      ...(hasBody ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    text = await response.text();
  } catch (cause) {
    return error(502, "function_unreachable", `${request.function}: ${errorText(cause)}`);
  }
  return {
    status: 200,
    body: {
      status: response.status,
      headers: Object.fromEntries(response.headers),
      body: parsed(text),
      duration_ms: Math.round(performance.now() - started),
    },
  };
};
