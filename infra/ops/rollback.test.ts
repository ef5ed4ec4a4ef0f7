import { GetAliasCommand, ListVersionsByFunctionCommand, type UpdateAliasCommand } from "@aws-sdk/client-lambda";
import { describe, expect, it } from "vitest";
import type { Outputs } from "./http.ts";
import { functionNameIn, type LambdaCalls, parseRollback, rollback } from "./rollback.ts";

/** Answers like Lambda for one function whose alias is at `current`, listing versions two pages at a time. */
const fakeLambda = (current: string, versions: readonly string[]) => {
  const sent: Array<{ command: string; input: unknown }> = [];
  const client = {
    send: async (command: GetAliasCommand | ListVersionsByFunctionCommand | UpdateAliasCommand) => {
      sent.push({ command: command.constructor.name, input: command.input });
      if (command instanceof GetAliasCommand) return { FunctionVersion: current };
      if (command instanceof ListVersionsByFunctionCommand) {
        const start = Number(command.input.Marker ?? 0);
        const next = start + 2 < versions.length ? String(start + 2) : undefined;
        return {
          Versions: versions.slice(start, start + 2).map((Version) => ({ Version })),
          ...(next ? { NextMarker: next } : {}),
        };
      }
      return { FunctionVersion: command.input.FunctionVersion };
    },
  };
  return { client: client as unknown as LambdaCalls, sent };
};

const outputs: Outputs = {
  stage: "staging",
  region: "eu-west-1",
  urls: {},
  functionNames: { sessions: "rendezvous-staging-sessions" },
};

describe("npm run rollback", () => {
  it("reads --stack, the function and an optional version; the outputs file defaults to <stack>-outputs.json", () => {
    expect(parseRollback(["--stack", "staging", "sessions"])).toEqual({
      stack: "staging",
      fn: "sessions",
      outputsPath: "staging-outputs.json",
    });
    expect(parseRollback(["sessions", "6", "--stack", "production", "--outputs", "-"])).toEqual({
      stack: "production",
      fn: "sessions",
      version: "6",
      outputsPath: "-",
    });
  });

  it.each([
    [[], /--stack is required/],
    [["--stack", "staging"], /<function> is required/],
    [["--stack"], /--stack needs a value/],
    [["--stack", "staging", "sessions", "v6"], /version must be a published version number like 7, got "v6"/],
    [["--stack", "staging", "sessions", "$LATEST"], /version must be a published version number/],
    [["--stack", "staging", "sessions", "6", "7"], /unexpected argument "7"/],
    [["--stack", "staging", "sessions", "--force"], /unknown option --force/],
  ])("refuses %j, saying why and how to call it", (args, message) => {
    expect(() => parseRollback(args)).toThrow(message);
    expect(() => parseRollback(args)).toThrow(/usage: npm run rollback -- --stack <stack> <function>/);
  });

  it("finds the deployed name in the stack's own outputs only", () => {
    expect(functionNameIn(outputs, "staging", "sessions")).toBe("rendezvous-staging-sessions");
    expect(() => functionNameIn(outputs, "production", "sessions")).toThrow(/stack "staging"'s, not "production"'s/);
    expect(() => functionNameIn(outputs, "staging", "matcher")).toThrow(/matcher: not in .*\(known: sessions\)/);
    expect(() => functionNameIn({ ...outputs, stage: "local" }, "local", "sessions")).toThrow(/no versions/);
  });

  it("moves live to the version before the current one, across pages, skipping $LATEST", async () => {
    const lambda = fakeLambda("7", ["$LATEST", "3", "5", "6", "7"]);
    expect(await rollback(lambda.client, "rendezvous-staging-sessions")).toEqual({
      functionName: "rendezvous-staging-sessions",
      from: "7",
      to: "6",
    });
    expect(lambda.sent.map((s) => s.command)).toEqual([
      "GetAliasCommand",
      "ListVersionsByFunctionCommand",
      "ListVersionsByFunctionCommand",
      "ListVersionsByFunctionCommand",
      "UpdateAliasCommand",
    ]);
    expect(lambda.sent[0]?.input).toEqual({ FunctionName: "rendezvous-staging-sessions", Name: "live" });
    expect(lambda.sent.at(-1)?.input).toEqual({
      FunctionName: "rendezvous-staging-sessions",
      Name: "live",
      FunctionVersion: "6",
    });
  });

  it("moves live to the version given, without listing versions", async () => {
    const lambda = fakeLambda("7", []);
    expect((await rollback(lambda.client, "rendezvous-staging-sessions", "3")).to).toBe("3");
    expect(lambda.sent.map((s) => s.command)).toEqual(["GetAliasCommand", "UpdateAliasCommand"]);
    expect(lambda.sent[1]?.input).toMatchObject({ Name: "live", FunctionVersion: "3" });
  });

  it("sends no UpdateAlias when there is nothing earlier, or live is already there", async () => {
    const first = fakeLambda("1", ["$LATEST", "1"]);
    await expect(rollback(first.client, "fn")).rejects.toThrow(/fn: no published version before 1/);
    const same = fakeLambda("4", []);
    await expect(rollback(same.client, "fn", "4")).rejects.toThrow(/already at version 4/);
    expect([...first.sent, ...same.sent].map((s) => s.command)).not.toContain("UpdateAliasCommand");
  });
});
