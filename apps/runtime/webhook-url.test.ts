import { SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type SsmStandIn, startSsmStandIn } from "../local/ssm.ts";
import { ConfigError } from "./env.ts";
import { cachedParameter, ssmClientFromEnv, WEBHOOK_URL_CACHE_MS, webhookUrlFromEnv } from "./webhook-url.ts";

/**
 * The dispatcher's webhook URL, read with the real SSM client from the local runtime's SSM stand-in (the same
 * GetParameter path as in AWS) and kept for a minute of an injected clock.
 */
const NAME = "/rendezvous/test/webhook-url";
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };
let ssm: SsmStandIn;
let calls = 0;
beforeAll(async () => {
  ssm = await startSsmStandIn({ port: 0, region: "us-east-1", parameters: { [NAME]: "https://one.example.com/h" } });
});
afterAll(() => ssm.close());

/** The stand-in's client, counting the GetParameter calls it sends. */
const countingClient = () => {
  const client = new SSMClient({ region: "us-east-1", endpoint: ssm.url, credentials: LOCAL_CREDENTIALS });
  client.middlewareStack.add(
    (next) => (args) => {
      calls += 1;
      return next(args);
    },
    { step: "initialize" },
  );
  return client;
};

describe("the webhook URL from SSM", () => {
  it("reads the parameter once a minute, so a change reaches a warm dispatcher without a redeploy", async () => {
    calls = 0;
    let now = 1_000_000;
    ssm.put(NAME, "https://one.example.com/h");
    const url = webhookUrlFromEnv({ WEBHOOK_URL_PARAMETER: NAME }, countingClient(), () => now);
    expect(await Promise.all([url(), url(), url()])).toEqual(Array(3).fill("https://one.example.com/h"));
    expect(calls).toBe(1);
    ssm.put(NAME, "https://two.example.com/h");
    now += WEBHOOK_URL_CACHE_MS - 1;
    expect(await url()).toBe("https://one.example.com/h");
    expect(calls).toBe(1);
    now += 1;
    expect(await url()).toBe("https://two.example.com/h");
    expect(calls).toBe(2);
  });

  it("keeps serving the last URL when SSM fails, and fails when it never had one", async () => {
    let now = 0;
    const down = await startSsmStandIn({ port: 0, region: "us-east-1", parameters: { [NAME]: "https://a.example/" } });
    const client = new SSMClient({
      region: "us-east-1",
      endpoint: down.url,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    const read = cachedParameter({ client, name: NAME, now: () => now });
    expect(await read()).toBe("https://a.example/");
    await down.close();
    now += WEBHOOK_URL_CACHE_MS;
    expect(await read()).toBe("https://a.example/");
    const never = cachedParameter({ client, name: NAME });
    await expect(never()).rejects.toThrow();
  });

  it("rejects a parameter that is missing or not a webhook URL, naming it", async () => {
    const missing = webhookUrlFromEnv({ WEBHOOK_URL_PARAMETER: "/nowhere" }, countingClient());
    await expect(missing()).rejects.toMatchObject({ name: "ParameterNotFound" });
    ssm.put("/plain-http", "http://hooks.example.com/h");
    const plain = webhookUrlFromEnv({ WEBHOOK_URL_PARAMETER: "/plain-http" }, countingClient());
    await expect(plain()).rejects.toThrow(/SSM parameter \/plain-http: expected an https URL/);
  });

  it("points the client at AWS_ENDPOINT_URL_SSM when set (the local runtime), else at SSM itself", async () => {
    const local = await ssmClientFromEnv({
      AWS_REGION: "eu-west-1",
      AWS_ENDPOINT_URL_SSM: ssm.url,
    }).config.endpoint?.();
    expect(`${local?.protocol}//${local?.hostname}:${local?.port}`).toBe(ssm.url);
    expect(await ssmClientFromEnv({ AWS_REGION: "eu-west-1" }).config.region()).toBe("eu-west-1");
    expect(ssmClientFromEnv({ AWS_REGION: "eu-west-1" }).config.endpoint).toBeUndefined();
  });

  it("uses WEBHOOK_URL when no parameter is named, and wants one of the two at cold start", async () => {
    expect(await webhookUrlFromEnv({ WEBHOOK_URL: "http://127.0.0.1:4401/webhook" })()).toBe(
      "http://127.0.0.1:4401/webhook",
    );
    expect(() => webhookUrlFromEnv({})).toThrow(ConfigError);
    expect(() => webhookUrlFromEnv({})).toThrow(/WEBHOOK_URL_PARAMETER .* or WEBHOOK_URL/);
    expect(() => webhookUrlFromEnv({ WEBHOOK_URL: "ftp://x" })).toThrow(/WEBHOOK_URL/);
  });
});
