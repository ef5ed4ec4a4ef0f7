/**
 * `npm run rollback -- --stack <stack> <function> [version] [--outputs <path> | -]`: points the function's `live`
 * alias (what its URL, schedule, queue mapping and callers invoke) at an earlier published version, the one before
 * the current when no version is given. The function name comes from the stack outputs (`<stack>-outputs.json`,
 * as CI writes it, unless `--outputs` says otherwise). Takes effect at once, with no deploy; the next `pulumi up`
 * that changes the function publishes a new version and moves the alias to it again.
 */
import { pathToFileURL } from "node:url";
import {
  GetAliasCommand,
  LambdaClient,
  ListVersionsByFunctionCommand,
  type ListVersionsByFunctionCommandOutput,
  UpdateAliasCommand,
} from "@aws-sdk/client-lambda";
import { LIVE_ALIAS } from "../live-alias.ts";
import { type Outputs, readOutputs } from "./http.ts";

export const USAGE = "usage: npm run rollback -- --stack <stack> <function> [version] [--outputs <outputs.json> | -]";

export interface RollbackRequest {
  readonly stack: string;
  readonly fn: string;
  /** A published version number; the one before the alias's current version when absent. */
  readonly version?: string;
  readonly outputsPath: string;
}

/** The three calls the command makes, so tests can answer them without AWS. */
export interface LambdaCalls {
  send(command: GetAliasCommand): Promise<{ FunctionVersion?: string }>;
  send(
    command: ListVersionsByFunctionCommand,
  ): Promise<Pick<ListVersionsByFunctionCommandOutput, "Versions" | "NextMarker">>;
  send(command: UpdateAliasCommand): Promise<{ FunctionVersion?: string }>;
}

export interface RollbackResult {
  readonly functionName: string;
  readonly from: string;
  readonly to: string;
}

const usage = (problem: string): Error => new Error(`${problem}\n${USAGE}`);

export const parseRollback = (args: readonly string[]): RollbackRequest => {
  const rest = [...args];
  const take = (flag: string): string | undefined => {
    const at = rest.indexOf(flag);
    if (at < 0) return undefined;
    const [, value] = rest.splice(at, 2);
    if (!value || value.startsWith("--")) throw usage(`${flag} needs a value`);
    return value;
  };
  const stack = take("--stack");
  const outputs = take("--outputs");
  if (!stack) throw usage("--stack is required (the stack whose function to roll back)");
  const unknown = rest.find((arg) => arg.startsWith("--"));
  if (unknown) throw usage(`unknown option ${unknown}`);
  const [fn, version, extra] = rest;
  if (!fn) throw usage("<function> is required (a name from the manifest, e.g. sessions)");
  if (version !== undefined && !/^[1-9]\d*$/.test(version)) {
    throw usage(`version must be a published version number like 7, got "${version}"`);
  }
  if (extra !== undefined) throw usage(`unexpected argument "${extra}"`);
  return { stack, fn, ...(version ? { version } : {}), outputsPath: outputs ?? `${stack}-outputs.json` };
};

/** The deployed name of `fn` in the outputs of `stack`; refuses another stack's outputs and the local runtime. */
export const functionNameIn = (outputs: Outputs, stack: string, fn: string): string => {
  if (outputs.stage !== stack) throw new Error(`the outputs are stack "${outputs.stage}"'s, not "${stack}"'s`);
  if (stack === "local") throw new Error("the local runtime has no versions to roll back");
  const name = outputs.functionNames?.[fn];
  if (!name) {
    const known = Object.keys(outputs.functionNames ?? {}).join(", ") || "none";
    throw new Error(`${fn}: not in the outputs' functionNames (known: ${known})`);
  }
  return name;
};

/** The highest published version below `current` ($LATEST is no published version). */
const versionBefore = async (lambda: LambdaCalls, functionName: string, current: string): Promise<string> => {
  const published: number[] = [];
  let marker: string | undefined;
  do {
    const page = await lambda.send(
      new ListVersionsByFunctionCommand({ FunctionName: functionName, ...(marker ? { Marker: marker } : {}) }),
    );
    for (const { Version } of page.Versions ?? [])
      if (Version && /^\d+$/.test(Version)) published.push(Number(Version));
    marker = page.NextMarker;
  } while (marker);
  const earlier = published.filter((v) => v < Number(current)).sort((a, b) => b - a);
  if (earlier[0] === undefined) throw new Error(`${functionName}: no published version before ${current}`);
  return String(earlier[0]);
};

export const rollback = async (
  lambda: LambdaCalls,
  functionName: string,
  version?: string,
): Promise<RollbackResult> => {
  const alias = await lambda.send(new GetAliasCommand({ FunctionName: functionName, Name: LIVE_ALIAS }));
  const from = alias.FunctionVersion;
  if (!from) throw new Error(`${functionName}: alias ${LIVE_ALIAS} points at no version`);
  const to = version ?? (await versionBefore(lambda, functionName, from));
  if (to === from) throw new Error(`${functionName}: ${LIVE_ALIAS} is already at version ${to}`);
  await lambda.send(new UpdateAliasCommand({ FunctionName: functionName, Name: LIVE_ALIAS, FunctionVersion: to }));
  return { functionName, from, to };
};

const main = async (): Promise<void> => {
  const request = parseRollback(process.argv.slice(2));
  const outputs = readOutputs(request.outputsPath);
  const functionName = functionNameIn(outputs, request.stack, request.fn);
  const result = await rollback(new LambdaClient({ region: outputs.region }), functionName, request.version);
  process.stdout.write(`${result.functionName}: ${LIVE_ALIAS} moved from version ${result.from} to ${result.to}\n`);
};

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((error: unknown) => {
    process.stderr.write(`rollback failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  });
}
