import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SsmStandIn, startSsmStandIn } from "./ssm.ts";

/** The local SSM stand-in, spoken to by the real SDK client as the dispatcher does. */
let ssm: SsmStandIn;
let client: SSMClient;
beforeAll(async () => {
  ssm = await startSsmStandIn({ port: 0, region: "us-east-1", parameters: { "/app/url": "https://a.example/h" } });
  client = new SSMClient({
    region: "us-east-1",
    endpoint: ssm.url,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
});
afterAll(() => ssm.close());

describe("the local SSM stand-in", () => {
  it("answers GetParameter in AWS's shape, and a put bumps the version", async () => {
    const first = await client.send(new GetParameterCommand({ Name: "/app/url" }));
    expect(first.Parameter).toMatchObject({
      Name: "/app/url",
      Type: "String",
      Value: "https://a.example/h",
      Version: 1,
      ARN: "arn:aws:ssm:us-east-1:000000000000:parameter/app/url",
    });
    expect(first.Parameter?.LastModifiedDate).toBeInstanceOf(Date);
    ssm.put("/app/url", "https://b.example/h");
    const second = await client.send(new GetParameterCommand({ Name: "/app/url" }));
    expect(second.Parameter).toMatchObject({ Value: "https://b.example/h", Version: 2 });
  });

  it("answers an unknown parameter with ParameterNotFound, as SSM does", async () => {
    await expect(client.send(new GetParameterCommand({ Name: "/nowhere" }))).rejects.toMatchObject({
      name: "ParameterNotFound",
      $metadata: { httpStatusCode: 400 },
    });
  });

  it("refuses what it does not serve, by name", async () => {
    const post = (target: string, body: string) =>
      fetch(ssm.url, {
        method: "POST",
        headers: { "x-amz-target": target, "content-type": "application/x-amz-json-1.1" },
        body,
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
    expect(await post("AmazonSSM.PutParameter", "{}")).toMatchObject({
      status: 400,
      body: { __type: "UnknownOperationException" },
    });
    expect(await post("AmazonSSM.GetParameter", "{not json")).toMatchObject({
      status: 400,
      body: { __type: "SerializationException" },
    });
    expect(await post("AmazonSSM.GetParameter", "{}")).toMatchObject({
      status: 400,
      body: { __type: "ValidationException", message: "Name: required" },
    });
  });
});
