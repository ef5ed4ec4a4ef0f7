import { createHash, createHmac } from "node:crypto";

/**
 * A small DynamoDB client for the sessions table: the JSON protocol over `fetch`, signed with SigV4 by hand.
 * Why not the AWS SDK here: the SDK (its protocol stack and default credential chain) makes the sessions bundle
 * 517 KB and adds ~115 ms to a cold start, against a goal of 300 KB / 100 ms; this needs five operations and the
 * credentials Lambda puts in the environment. Control-plane work (creating the table) still uses the SDK, outside
 * the function's bundle.
 */
export interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string | undefined;
}

export interface DynamoConfig {
  readonly region: string;
  /** `https://dynamodb.<region>.amazonaws.com` unless overridden (dynalite locally). */
  readonly endpoint?: string | undefined;
  readonly credentials: Credentials;
  /** @default 3 */
  readonly maxAttempts?: number;
  /** Per attempt. @default 3000 */
  readonly timeoutMs?: number;
}

/** A DynamoDB error answer (`__type` without its namespace) or a transport failure. */
export class DynamoError extends Error {
  override readonly name = "DynamoError";
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(`${code}: ${message}`);
  }
}

export type DynamoCall = (operation: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>;

const hex = (data: string) => createHash("sha256").update(data, "utf8").digest("hex");
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** SigV4 headers for a POST of `body` to `url` (path `/`, no query): the only shape DynamoDB's API uses. */
export const signRequest = (
  url: URL,
  headers: Record<string, string>,
  body: string,
  config: Pick<DynamoConfig, "region" | "credentials">,
  now: Date,
): Record<string, string> => {
  const amzDate = now.toISOString().replace(/[:-]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const scope = `${day}/${config.region}/dynamodb/aws4_request`;
  const all: Record<string, string> = {
    ...headers,
    host: url.host,
    "x-amz-date": amzDate,
    ...(config.credentials.sessionToken ? { "x-amz-security-token": config.credentials.sessionToken } : {}),
  };
  const names = Object.keys(all)
    .map((name) => name.toLowerCase())
    .sort();
  const lower = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), v.trim()]));
  const canonical = [
    "POST",
    url.pathname || "/",
    "",
    ...names.map((n) => `${n}:${lower[n]}`),
    "",
    names.join(";"),
    hex(body),
  ].join("\n");
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, hex(canonical)].join("\n");
  let key: Buffer = hmac(`AWS4${config.credentials.secretAccessKey}`, day);
  for (const part of [config.region, "dynamodb", "aws4_request"]) key = hmac(key, part);
  const signature = createHmac("sha256", key).update(toSign, "utf8").digest("hex");
  return {
    ...all,
    authorization: `AWS4-HMAC-SHA256 Credential=${config.credentials.accessKeyId}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}`,
  };
};

const RETRYABLE = new Set([
  "ThrottlingException",
  "ProvisionedThroughputExceededException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionConflictException",
  "network",
]);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const makeDynamoCall = (config: DynamoConfig): DynamoCall => {
  const url = new URL(config.endpoint ?? `https://dynamodb.${config.region}.amazonaws.com`);
  const attempts = config.maxAttempts ?? 3;
  const once = async (operation: string, body: string): Promise<Record<string, unknown>> => {
    const headers = signRequest(
      url,
      { "content-type": "application/x-amz-json-1.0", "x-amz-target": `DynamoDB_20120810.${operation}` },
      body,
      config,
      new Date(),
    );
    const { host: _host, ...sent } = headers;
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: sent,
        body,
        signal: AbortSignal.timeout(config.timeoutMs ?? 3000),
      });
    } catch (error) {
      throw new DynamoError("network", (error as Error).message);
    }
    const text = await response.text();
    const parsed = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
    if (response.ok) return parsed;
    const type = String(parsed.__type ?? `HTTP${response.status}`);
    const code = type.slice(type.lastIndexOf("#") + 1);
    throw new DynamoError(code, String(parsed.message ?? parsed.Message ?? ""), response.status);
  };
  return async (operation, input) => {
    const body = JSON.stringify(input);
    for (let attempt = 1; ; attempt++) {
      try {
        return await once(operation, body);
      } catch (error) {
        const retryable = error instanceof DynamoError && (RETRYABLE.has(error.code) || (error.status ?? 0) >= 500);
        if (!retryable || attempt >= attempts) throw error;
        await sleep(25 * 2 ** attempt * Math.random());
      }
    }
  };
};

export type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

/** Plain values to DynamoDB's typed JSON (strings, finite numbers, booleans; `undefined` fields are left out). */
export const marshall = (item: Record<string, unknown>): Record<string, AttributeValue> => {
  const out: Record<string, AttributeValue> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value === undefined) continue;
    if (typeof value === "string") out[name] = { S: value };
    else if (typeof value === "number" && Number.isFinite(value)) out[name] = { N: String(value) };
    else if (typeof value === "boolean") out[name] = { BOOL: value };
    else throw new TypeError(`cannot store ${name}: ${typeof value}`);
  }
  return out;
};

const fromAttribute = (value: unknown): unknown => {
  if (typeof value !== "object" || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if ("S" in v) return v.S;
  if ("N" in v) return Number(v.N);
  if ("BOOL" in v) return v.BOOL;
  if ("NULL" in v) return null;
  if ("L" in v && Array.isArray(v.L)) return v.L.map(fromAttribute);
  if ("M" in v) return unmarshall(v.M);
  return undefined;
};

/** DynamoDB's typed JSON to plain values (decoded further with Schema by the caller). */
export const unmarshall = (item: unknown): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries((item ?? {}) as Record<string, unknown>).map(([name, value]) => [name, fromAttribute(value)]),
  );
