/**
 * `npm run smoke -- [outputs.json | --outputs <path> | -]`: checks a deployed (or local) stack from its outputs.
 * GET /health on every function URL, and a garbage session answered `valid:false` by the sessions function.
 * AWS_IAM URLs are signed with SigV4 from the default credential chain. Prints one line per check; exits 1 naming
 * every failed check.
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

export interface CheckResult {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

interface Check {
  readonly name: string;
  readonly fn: string;
  readonly method: string;
  readonly path: string;
  readonly body?: string;
  readonly expect: (answer: Answer) => string | undefined;
}

const json = (body: string): Record<string, unknown> => {
  try {
    return JSON.parse(body) as Record<string, unknown>;
  } catch {
    return {};
  }
};

const checksFor = (outputs: Outputs): Check[] => [
  ...Object.keys(outputs.urls).map((fn) => ({
    name: `${fn} GET /health`,
    fn,
    method: "GET",
    path: "/health",
    expect: (a: Answer) =>
      a.status === 200 && json(a.body).status === "healthy"
        ? undefined
        : `expected 200 healthy, got ${a.status} ${a.body.slice(0, 200)}`,
  })),
  ...(outputs.urls.sessions
    ? [
        {
          name: "sessions POST /auth/validate (garbage session)",
          fn: "sessions",
          method: "POST",
          path: "/auth/validate",
          body: JSON.stringify({ session_id: `smoke-${Date.now()}-not-a-session` }),
          expect: (a: Answer) =>
            a.status === 200 && json(a.body).valid === false
              ? undefined
              : `expected 200 valid:false, got ${a.status} ${a.body.slice(0, 200)}`,
        },
      ]
    : []),
];

/** Runs every check; never throws (a network failure is a failed check). */
export const smoke = async (
  outputs: Outputs,
  options: { functions?: readonly FunctionSpec[]; signer?: Signer } = {},
): Promise<CheckResult[]> => {
  const specs = options.functions ?? functions;
  const signer = options.signer ?? sigv4Signer(outputs.region);
  return Promise.all(
    checksFor(outputs).map(async (check): Promise<CheckResult> => {
      const base = outputs.urls[check.fn] ?? "";
      try {
        const answer = await send(
          { method: check.method, url: urlFor(base, check.path), ...(check.body ? { body: check.body } : {}) },
          needsSigning(outputs, check.fn, specs) ? signer : unsigned,
        );
        const problem = check.expect(answer);
        return { name: check.name, ok: problem === undefined, detail: problem ?? `${answer.status}` };
      } catch (error) {
        return {
          name: check.name,
          ok: false,
          detail: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        };
      }
    }),
  );
};

export const report = (stage: string, results: readonly CheckResult[]): string => {
  const lines = results.map((r) => `${r.ok ? "ok  " : "FAIL"}  ${r.name}  ${r.detail}`);
  const failed = results.filter((r) => !r.ok);
  lines.push(
    failed.length === 0
      ? `smoke ${stage}: all ${results.length} checks passed`
      : `smoke ${stage}: ${failed.length} of ${results.length} checks failed: ${failed.map((r) => r.name).join("; ")}`,
  );
  return lines.join("\n");
};

const main = async (): Promise<void> => {
  const args = process.argv.slice(2);
  const { path, rest } = outputsPathFrom(args);
  const outputs = readOutputs(rest[0] ?? path);
  if (Object.keys(outputs.urls).length === 0) throw new Error("the outputs list no function URLs");
  const results = await smoke(outputs);
  process.stdout.write(`${report(outputs.stage, results)}\n`);
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    process.stderr.write(`smoke failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
