/**
 * `npm run invoke -- <function> [METHOD] [path] [json] [--outputs <path> | -]`: one call to a function's URL,
 * signed with SigV4 when the URL is AWS_IAM in a deployed stack. Prints the status and the body; exits 1 on >= 400.
 * Example: `npm run invoke -- matcher POST /run '{"trigger":"manual"}' --outputs staging-outputs.json`.
 */
import { pathToFileURL } from "node:url";
import { type FunctionSpec, functions } from "../../apps/manifest.ts";
import {
  type Answer,
  needsSigning,
  type Outputs,
  outputsPathFrom,
  readOutputs,
  type Signer,
  send,
  sigv4Signer,
  unsigned,
  urlFor,
} from "./http.ts";

export const USAGE = "usage: npm run invoke -- <function> [METHOD] [path] [json] [--outputs <outputs.json> | -]";

export interface Invocation {
  readonly fn: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string;
}

export const parseInvocation = (args: readonly string[]): Invocation => {
  const [fn, method = "GET", path = "/health", body] = args;
  if (!fn) throw new Error(USAGE);
  if (!/^[A-Z]+$/.test(method))
    throw new Error(`METHOD must be an HTTP method like GET or POST, got "${method}"\n${USAGE}`);
  if (!path.startsWith("/")) throw new Error(`path must start with /, got "${path}"\n${USAGE}`);
  if (body !== undefined) {
    try {
      JSON.parse(body);
    } catch {
      throw new Error(`json: not valid JSON: ${body}\n${USAGE}`);
    }
  }
  return { fn, method, path, ...(body === undefined ? {} : { body }) };
};

export const invoke = async (
  outputs: Outputs,
  call: Invocation,
  options: { functions?: readonly FunctionSpec[]; signer?: Signer } = {},
): Promise<Answer> => {
  const base = outputs.urls[call.fn];
  if (!base) {
    throw new Error(
      `${call.fn} has no function URL in the outputs (with URLs: ${Object.keys(outputs.urls).join(", ")})`,
    );
  }
  const signing = needsSigning(outputs, call.fn, options.functions ?? functions);
  return send(
    { method: call.method, url: urlFor(base, call.path), ...(call.body === undefined ? {} : { body: call.body }) },
    signing ? (options.signer ?? sigv4Signer(outputs.region)) : unsigned,
  );
};

const main = async (): Promise<void> => {
  const { path, rest } = outputsPathFrom(process.argv.slice(2));
  const call = parseInvocation(rest);
  const answer = await invoke(readOutputs(path), call);
  process.stdout.write(`${answer.status}\n${answer.body}\n`);
  process.exitCode = answer.status >= 400 ? 1 : 0;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
