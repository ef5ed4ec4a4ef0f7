import { InvokeCommand, ResourceNotFoundException } from "@aws-sdk/client-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeLambdaClient } from "../../adapters/lambda/client.ts";
import type { FunctionSpec } from "../manifest.ts";
import { functionNameOf } from "./invoke-server.ts";
import { type LocalRuntime, startLocalRuntime } from "./runtime.ts";

/**
 * The runtime's Lambda Invoke API, with the SDK the functions use (and `aws lambda invoke` speaks): every
 * function answers it, by manifest name, stack name or ARN; a throw is a function error, an unknown function a
 * 404 ResourceNotFoundException; each invocation is logged with trigger "invoke".
 */
const fixtures: FunctionSpec[] = [
  {
    name: "echo",
    description: "echo",
    entry: "apps/local/fixtures/echo.ts",
    triggers: [{ kind: "url", auth: "AWS_IAM" }],
    needs: [],
    settings: [],
  },
  {
    name: "tick",
    description: "tick",
    entry: "apps/local/fixtures/tick.ts",
    triggers: [{ kind: "invoke" }],
    needs: [],
    settings: [],
  },
];

let runtime: LocalRuntime;
const logs: string[] = [];
beforeAll(async () => {
  runtime = await startLocalRuntime({ ephemeral: true, ports: "free", functions: fixtures, log: (l) => logs.push(l) });
});
afterAll(() => runtime?.stop());

const invoke = async (name: string, payload: string) => {
  const lambda = makeLambdaClient({
    region: "us-east-1",
    endpoint: runtime.outputs.lambdaEndpoint,
    requestTimeoutMs: 5000,
  });
  const answer = await lambda.send(
    new InvokeCommand({ FunctionName: name, Payload: new TextEncoder().encode(payload) }),
  );
  return { error: answer.FunctionError, body: JSON.parse(new TextDecoder().decode(answer.Payload)) as unknown };
};

describe("the local Lambda Invoke API", () => {
  it("runs a function by its manifest name, its stack name or an ARN with a qualifier, and logs trigger invoke", async () => {
    expect(await invoke("tick", '{"n":1}')).toEqual({ error: undefined, body: { ticked: 1 } });
    expect((await invoke("rendezvous-local-tick", "{}")).body).toEqual({ ticked: 2 });
    const arn = "arn:aws:lambda:us-east-1:000000000000:function:rendezvous-local-tick:live";
    expect((await invoke(arn, "")).body).toEqual({ ticked: 3 });
    const lines = logs.map((line) => JSON.parse(line)).filter((line) => line.function === "tick");
    expect(lines.map((line) => [line.trigger, line.status])).toEqual([
      ["invoke", "ok"],
      ["invoke", "ok"],
      ["invoke", "ok"],
    ]);
  });

  it("answers a throw with X-Amz-Function-Error: Unhandled and the error as JSON", async () => {
    const answer = await invoke("echo", '{"rawPath":"/boom"}');
    expect(answer).toMatchObject({ error: "Unhandled", body: { errorType: "Error", errorMessage: "boom" } });
  });

  it("answers 404 ResourceNotFoundException for an unknown function and 400 for a payload that is not JSON", async () => {
    const missing = await invoke("nope", "{}").catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    const url = `${runtime.outputs.lambdaEndpoint}/2015-03-31/functions/tick/invocations`;
    const bad = await fetch(url, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    expect(bad.headers.get("x-amzn-errortype")).toBe("InvalidRequestContentException");
  });

  it("points every function at itself: AWS_ENDPOINT_URL_LAMBDA and DELIVERY_STORE_FUNCTION", () => {
    expect(process.env.AWS_ENDPOINT_URL_LAMBDA).toBe(runtime.outputs.lambdaEndpoint);
    expect(process.env.DELIVERY_STORE_FUNCTION).toBe("rendezvous-local-delivery-store");
    expect(runtime.outputs.lambdaEndpoint).toBe(`http://127.0.0.1:${runtime.ports.lambda}`);
  });

  it.each([
    ["matcher", "matcher"],
    ["rendezvous-local-matcher:live", "rendezvous-local-matcher"],
    ["arn:aws:lambda:us-east-1:000000000000:function:rendezvous-local-matcher", "rendezvous-local-matcher"],
    ["000000000000:function:matcher:3", "matcher"],
  ])("reads the function of %s", (identifier, name) => expect(functionNameOf(identifier)).toBe(name));
});
