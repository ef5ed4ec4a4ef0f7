/**
 * Calling the stack's function URLs from an operator's machine or CI: `AWS_IAM` URLs are signed with SigV4
 * (service `lambda`) from the default credential chain; `NONE` URLs and the local runtime's are called plainly.
 */
import { readFileSync } from "node:fs";
import { Sha256 } from "@aws-crypto/sha256-js";
import { fromNodeProviderChain } from "@aws-sdk/credential-providers";
import { SignatureV4 } from "@smithy/signature-v4";
import type { FunctionSpec } from "../../apps/manifest.ts";

/** The keys of API.md "Stack outputs" this tooling reads. */
export interface Outputs {
  readonly stage: string;
  readonly region: string;
  readonly urls: Record<string, string>;
  /** The deployed function name of each manifest function (absent in outputs older than this key). */
  readonly functionNames?: Record<string, string>;
}

export interface Call {
  readonly method: string;
  readonly url: URL;
  readonly body?: string;
}

export interface Answer {
  readonly status: number;
  readonly body: string;
}

/** Adds the headers that authenticate a call (none for an unsigned one). */
export type Signer = (call: Call, headers: Record<string, string>) => Promise<Record<string, string>>;

export const unsigned: Signer = async (_call, headers) => headers;

type Credentials = ConstructorParameters<typeof SignatureV4>[0]["credentials"];

export const sigv4Signer = (region: string, credentials: Credentials = fromNodeProviderChain()): Signer => {
  const signer = new SignatureV4({ service: "lambda", region, credentials, sha256: Sha256 });
  return async (call, headers) => {
    const signed = await signer.sign({
      method: call.method,
      protocol: call.url.protocol,
      hostname: call.url.hostname,
      ...(call.url.port ? { port: Number(call.url.port) } : {}),
      path: call.url.pathname,
      query: Object.fromEntries(call.url.searchParams),
      headers: { ...headers, host: call.url.host },
      ...(call.body === undefined ? {} : { body: call.body }),
    });
    // fetch sets Host itself, from the same URL.
    const { host: _host, ...rest } = signed.headers;
    return rest;
  };
};

/** Whether calls to `name`'s URL must be signed: an `AWS_IAM` URL in a deployed stack (never locally). */
export const needsSigning = (outputs: Outputs, name: string, functions: readonly FunctionSpec[]): boolean =>
  outputs.stage !== "local" &&
  (functions.find((fn) => fn.name === name)?.triggers.some((t) => t.kind === "url" && t.auth === "AWS_IAM") ?? false);

export const send = async (call: Call, signer: Signer, timeoutMs = 15_000): Promise<Answer> => {
  const headers = await signer(call, call.body === undefined ? {} : { "content-type": "application/json" });
  const response = await fetch(call.url, {
    method: call.method,
    headers,
    ...(call.body === undefined ? {} : { body: call.body }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return { status: response.status, body: await response.text() };
};

/** Joins a function URL (which ends in `/`) and an API path. */
export const urlFor = (base: string, path: string): URL =>
  new URL(path.replace(/^\//, ""), base.endsWith("/") ? base : `${base}/`);

/** Outputs from a file, or from stdin when the path is `-` (`pulumi stack output --json | npm run smoke -- -`). */
export const readOutputs = (path: string): Outputs => {
  const text = path === "-" ? readFileSync(0, "utf8") : readFileSync(path, "utf8");
  const outputs = JSON.parse(text) as Partial<Outputs>;
  if (typeof outputs.stage !== "string" || typeof outputs.urls !== "object" || outputs.urls === null) {
    throw new Error(`${path === "-" ? "stdin" : path}: not stack outputs (expected "stage" and "urls")`);
  }
  return {
    stage: outputs.stage,
    region: outputs.region ?? "us-east-1",
    urls: outputs.urls,
    ...(outputs.functionNames ? { functionNames: outputs.functionNames } : {}),
  };
};

/** `--outputs <path>` or a first positional path; `.rendezvous/outputs.json` (the local runtime's) by default. */
export const outputsPathFrom = (args: string[]): { path: string; rest: string[] } => {
  const rest = [...args];
  const flag = rest.indexOf("--outputs");
  if (flag >= 0) {
    const [, path] = rest.splice(flag, 2);
    if (!path) throw new Error("--outputs needs a path (or - for stdin)");
    return { path, rest };
  }
  return { path: ".rendezvous/outputs.json", rest };
};
