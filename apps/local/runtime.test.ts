import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { SSMClient } from "@aws-sdk/client-ssm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeSqsClient } from "../../adapters/sqs/client.ts";
import type { FunctionSpec } from "../manifest.ts";
import { webhookUrlFromEnv } from "../runtime/webhook-url.ts";
import { fixtureState } from "./fixtures/state.ts";
import { type LocalRuntime, startLocalRuntime } from "./runtime.ts";

/**
 * The runtime itself, with fixture functions standing in for the platform's (the e2e suites run the real ones):
 * URL translation, CORS, errors and timeouts, a schedule moved by the clock, and a queue trigger with partial
 * batch failures and redrive to the dead-letter queue.
 */
const fixtures: FunctionSpec[] = [
  {
    name: "echo",
    description: "echo",
    entry: "apps/local/fixtures/echo.ts",
    triggers: [{ kind: "url", auth: "AWS_IAM" }],
    needs: [],
    settings: [],
    timeoutSeconds: 1,
  },
  {
    name: "tick",
    description: "tick",
    entry: "apps/local/fixtures/tick.ts",
    triggers: [{ kind: "schedule", expression: "rate(1 hour)" }],
    needs: [],
    settings: [],
  },
  {
    name: "consumer",
    description: "consumer",
    entry: "apps/local/fixtures/consumer.ts",
    triggers: [{ kind: "queue", queue: "deliveries", batchSize: 10, maximumConcurrency: 2 }],
    needs: ["deliveriesQueue:consume"],
    settings: [],
    timeoutSeconds: 1,
  },
];

let runtime: LocalRuntime;
const logs: string[] = [];

beforeAll(async () => {
  runtime = await startLocalRuntime({
    ephemeral: true,
    ports: "free",
    functions: fixtures,
    corsOrigins: ["https://app.example.com"],
    log: (line) => logs.push(line),
  });
});
afterAll(() => runtime?.stop());

const echoUrl = () => runtime.urls.echo ?? "";
const control = (path: string, body?: unknown) =>
  fetch(`${runtime.controlUrl}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

const eventually = async <T>(read: () => T | undefined, what: string, timeoutMs = 10_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe("function URLs", () => {
  it("hand the handler a payload 2.0 event and send back status, headers and every cookie", async () => {
    const response = await fetch(`${echoUrl()}/users?id=7`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: "a=1", origin: "https://app.example.com" },
      body: '{"x":1}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(["seen=1; Path=/", "theme=dark; Path=/"]);
    expect(response.headers.get("access-control-allow-origin")).toBe("https://app.example.com");
    const { event } = (await response.json()) as { event: Record<string, unknown> };
    expect(event).toMatchObject({ version: "2.0", rawPath: "/users", rawQueryString: "id=7", body: '{"x":1}' });
    expect(event.cookies).toEqual(["a=1"]);
    expect(logs.some((line) => line.includes('"function":"echo"') && line.includes('"status":200'))).toBe(true);
  });

  it("answer CORS preflights themselves", async () => {
    const response = await fetch(`${echoUrl()}/users`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "PUT" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("access-control-allow-methods")).toBe("PUT");
  });

  it("decode base64 bodies and wrap plain results as JSON", async () => {
    const binary = await fetch(`${echoUrl()}/binary`);
    expect([...new Uint8Array(await binary.arrayBuffer())]).toEqual([0x89, 0x50, 0x4e, 0x47]);
    expect(await (await fetch(`${echoUrl()}/plain`)).json()).toEqual({ answer: 42 });
  });

  it("answer 502 when the handler throws or times out", async () => {
    expect((await fetch(`${echoUrl()}/boom`)).status).toBe(502);
    expect((await fetch(`${echoUrl()}/slow`)).status).toBe(502);
  });

  it("give every function the environment contract before it loads", () => {
    const env = fixtureState().env;
    expect(env.DATABASE_URL).toMatch(/^postgres:\/\/.+\/rendezvous$/);
    const credentials = JSON.parse(readFileSync(env.LOCAL_DATABASE_CREDENTIALS ?? "", "utf8"));
    expect(Object.keys(credentials).sort()).toEqual(["rendezvous_matching", "rendezvous_scheduling"]);
    expect(env.LOCAL_DATABASE_CREDENTIALS).toBe(join(runtime.dataDir, "database-credentials.json"));
    expect(env.DELIVERIES_QUEUE_URL).toBe(runtime.outputs.deliveriesQueueUrl);
    expect(env.WEBHOOK_URL).toBe(runtime.outputs.webhookUrl);
  });

  it("serve the webhook URL from the SSM stand-in, read through the dispatcher's own GetParameter path", async () => {
    const env = fixtureState().env;
    expect(env.WEBHOOK_URL_PARAMETER).toBe("/rendezvous/local/webhook-url");
    expect(env.AWS_ENDPOINT_URL_SSM).toBe(`http://127.0.0.1:${runtime.ports.ssm}`);
    const client = new SSMClient({
      region: env.AWS_REGION ?? "us-east-1",
      endpoint: env.AWS_ENDPOINT_URL_SSM ?? "",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    expect(await webhookUrlFromEnv(env, client)()).toBe(runtime.outputs.webhookUrl);
  });
});

describe("schedules", () => {
  it("fire when the clock reaches the next tick, and on demand", async () => {
    const before = fixtureState().ticks.length;
    const moved = await control("/_local/clock", { advance: "PT1H" });
    expect(moved.status).toBe(200);
    const tick = await eventually(() => fixtureState().ticks[before], "the hourly tick");
    expect(tick).toMatchObject({ source: "rendezvous.schedule", schedule: "tick" });
    const run = await control("/_local/schedules/tick/run", {});
    expect(run.status).toBe(200);
    expect(await run.json()).toMatchObject({ function: "tick", result: { ticked: before + 2 } });
    expect((await control("/_local/schedules/nope/run", {})).status).toBe(404);
    const clock = (await (await control("/_local/clock")).json()) as { now: string };
    const { schedules } = (await (await control("/_local/schedules")).json()) as {
      schedules: Array<{ function: string; expression: string; next_fire: string; last_fire: unknown }>;
    };
    expect(schedules).toEqual([
      {
        function: "tick",
        expression: "rate(1 hour)",
        next_fire: expect.any(String),
        last_fire: { scheduled_time: expect.any(String), outcome: "ok" },
      },
    ]);
    expect(Date.parse(schedules[0]?.next_fire ?? "")).toBeGreaterThan(Date.parse(clock.now));
  });

  it("refuse a malformed clock move, naming the field", async () => {
    const response = await control("/_local/clock", { advance: "tomorrow" });
    expect(response.status).toBe(400);
    expect(JSON.stringify(await response.json())).toMatch(/advance/);
  });
});

describe("the queue trigger", () => {
  it("deletes what succeeded and redrives a message that keeps failing to the dead-letter queue", async () => {
    const sqs = makeSqsClient({ region: "us-east-1", endpoint: `http://127.0.0.1:${runtime.ports.sqs}` });
    const queueUrl = runtime.outputs.deliveriesQueueUrl;
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "ok-1" }));
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "fail-1" }));
    const dlqDepth = async () => {
      const { queues } = (await (await control("/_local/queues")).json()) as {
        queues: Array<{ name: string; visible: number; in_flight: number }>;
      };
      return queues;
    };
    const deadline = Date.now() + 20_000;
    let queues = await dlqDepth();
    while (!(queues[1]?.visible === 1 && queues[0]?.visible === 0 && queues[0]?.in_flight === 0)) {
      if (Date.now() > deadline) throw new Error(`no redrive: ${JSON.stringify(queues)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      queues = await dlqDepth();
    }
    const seen = fixtureState().batches.flatMap((batch) => batch.bodies);
    expect(seen.filter((body) => body === "ok-1")).toHaveLength(1);
    expect(seen.filter((body) => body === "fail-1")).toHaveLength(5);
    sqs.destroy();
  });
});
