import { spawnSync } from "node:child_process";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FunctionSpec } from "../../apps/manifest.ts";
import { type Outputs, sigv4Signer } from "./http.ts";
import { invoke, parseInvocation } from "./invoke.ts";
import { report, smoke } from "./smoke.ts";

const credentials = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };
const spec = (name: string, auth: "NONE" | "AWS_IAM"): FunctionSpec => ({
  name,
  description: name,
  entry: "apps/manifest.ts",
  triggers: [{ kind: "url", auth }],
  needs: [],
  settings: [],
});
const FUNCTIONS = [spec("sessions", "NONE"), spec("scheduling", "AWS_IAM")];

/** Recomputes the SigV4 signature of a received request, as the Lambda URL front end would. */
const signatureValid = async (request: IncomingMessage, body: string): Promise<boolean> => {
  const authorization = request.headers.authorization ?? "";
  const signedHeaders = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(";") ?? [];
  const amzDate = String(request.headers["x-amz-date"]);
  const date = new Date(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
  const url = new URL(request.url ?? "/", `http://${request.headers.host}`);
  const signer = new SignatureV4({ service: "lambda", region: "eu-west-1", credentials, sha256: Sha256 });
  const again = await signer.sign(
    {
      method: request.method ?? "GET",
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query: {},
      headers: Object.fromEntries(signedHeaders.map((h) => [h, String(request.headers[h])])),
      ...(body ? { body } : {}),
    },
    { signingDate: date },
  );
  return again.headers.authorization === authorization;
};

describe("npm run smoke / npm run invoke", () => {
  let server: Server;
  let base: string;
  const seen: Array<{ path: string; authorization?: string; valid: boolean }> = [];
  let unhealthy = false;
  beforeAll(async () => {
    server = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk) => {
        body += chunk;
      });
      request.on("end", async () => {
        const valid = request.headers.authorization ? await signatureValid(request, body) : false;
        seen.push({
          path: request.url ?? "",
          ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
          valid,
        });
        const path = (request.url ?? "").replace(/^\/[a-z]+/, "");
        const reply = (status: number, value: unknown) =>
          response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(value));
        if (path === "/health")
          return unhealthy && request.url?.startsWith("/scheduling")
            ? reply(503, { status: "unhealthy" })
            : reply(200, { status: "healthy" });
        if (path === "/auth/validate" && JSON.parse(body).session_id)
          return reply(200, { valid: false, reason: "unknown" });
        return reply(404, { error: { code: "not_found" } });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const outputs = (stage: string): Outputs => ({
    stage,
    region: "eu-west-1",
    urls: { sessions: `${base}/sessions/`, scheduling: `${base}/scheduling/` },
  });

  it("checks health everywhere and a garbage session, signing only the AWS_IAM URL with a valid SigV4", async () => {
    seen.length = 0;
    const results = await smoke(outputs("staging"), {
      functions: FUNCTIONS,
      signer: sigv4Signer("eu-west-1", credentials),
    });
    expect(results.map((r) => [r.name, r.ok])).toEqual([
      ["sessions GET /health", true],
      ["scheduling GET /health", true],
      ["sessions POST /auth/validate (garbage session)", true],
    ]);
    const scheduling = seen.filter((s) => s.path.startsWith("/scheduling"));
    expect(scheduling).toHaveLength(1);
    expect(scheduling[0]?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/lambda\/aws4_request/,
    );
    expect(scheduling[0]?.valid).toBe(true);
    expect(seen.filter((s) => s.path.startsWith("/sessions")).every((s) => s.authorization === undefined)).toBe(true);
  });

  it("signs nothing against the local runtime", async () => {
    seen.length = 0;
    const results = await smoke(outputs("local"), {
      functions: FUNCTIONS,
      signer: sigv4Signer("eu-west-1", credentials),
    });
    expect(results.every((r) => r.ok)).toBe(true);
    expect(seen.every((s) => s.authorization === undefined)).toBe(true);
  });

  it("reports each failure by name, including an unreachable URL", async () => {
    unhealthy = true;
    const broken = { ...outputs("staging"), urls: { ...outputs("staging").urls, matching: "http://127.0.0.1:1/" } };
    const results = await smoke(broken, { functions: FUNCTIONS, signer: sigv4Signer("eu-west-1", credentials) });
    unhealthy = false;
    const text = report("staging", results);
    expect(text).toContain("FAIL  scheduling GET /health  expected 200 healthy, got 503");
    expect(text).toMatch(/FAIL {2}matching GET \/health {2}TypeError: fetch failed/);
    expect(text).toContain("smoke staging: 2 of 4 checks failed: scheduling GET /health; matching GET /health");
  });

  it("exits non-zero from the command line, reading the outputs from stdin", () => {
    const cli = spawnSync(process.execPath, ["--import", "tsx", "infra/ops/smoke.ts", "-"], {
      input: JSON.stringify({ ...outputs("local"), urls: { matching: "http://127.0.0.1:1/" } }),
      encoding: "utf8",
    });
    expect(cli.status).toBe(1);
    expect(cli.stdout).toContain("smoke local: 1 of 1 checks failed: matching GET /health");
  });

  it("invokes one function, signing its AWS_IAM URL, and refuses a function without a URL", async () => {
    seen.length = 0;
    const answer = await invoke(outputs("staging"), parseInvocation(["scheduling", "GET", "/health"]), {
      functions: FUNCTIONS,
      signer: sigv4Signer("eu-west-1", credentials),
    });
    expect(answer).toEqual({ status: 200, body: JSON.stringify({ status: "healthy" }) });
    expect(seen[0]?.valid).toBe(true);
    await expect(invoke(outputs("staging"), parseInvocation(["dispatcher"]))).rejects.toThrow(
      /dispatcher has no function URL/,
    );
    expect(() => parseInvocation(["scheduling", "GET", "/x", "{oops"])).toThrow(/json: not valid JSON/);
    expect(() => parseInvocation([])).toThrow(/usage: npm run invoke/);
  });
});
