import { appendFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { postWebhook } from "./client.ts";
import { HANG, startWebhookReceiver } from "./receiver.ts";
import { newWebhookSecret, signWebhook } from "./signature.ts";

const secret = newWebhookSecret();
const NOW = new Date("2026-11-23T09:00:00Z");
let clockNow = NOW;
const receiver = await startWebhookReceiver({ secret, clock: () => clockNow });
afterAll(() => receiver.close());

/** A request built by hand, so a test can tamper with one part of it. */
const send = (input: { id: string; signedBody: string; sentBody: string; timestampSeconds: number }) =>
  fetch(receiver.url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "webhook-id": input.id,
      "webhook-timestamp": String(input.timestampSeconds),
      "webhook-signature": signWebhook({ secret, ...input, body: input.signedBody }),
    },
    body: input.sentBody,
  });

describe("startWebhookReceiver", () => {
  it("records what postWebhook sends as verified, stamped by its clock", async () => {
    const body = JSON.stringify({ user_id: "u1", occurrence: "2026-11-23" });
    expect(await postWebhook({ url: receiver.url, secret, id: "r-ok", body, now: NOW })).toMatchObject({
      kind: "delivered",
    });
    expect(receiver.received().filter((entry) => entry.webhook_id === "r-ok")).toEqual([
      {
        webhook_id: "r-ok",
        verified: true,
        headers: expect.objectContaining({ "webhook-id": "r-ok", "content-type": "application/json" }),
        body: JSON.parse(body),
        received_at: NOW.toISOString(),
        status: 200,
      },
    ]);
    const { headers } = receiver.received().find((entry) => entry.webhook_id === "r-ok") ?? {};
    expect(headers?.["webhook-signature"]).toMatch(/^v1,/);
  });

  it("rejects with 401 and records a tampered body, an old timestamp and a foreign secret", async () => {
    const stamp = NOW.getTime() / 1000;
    const tampered = await send({
      id: "r-tamper",
      signedBody: '{"n":1}',
      sentBody: '{"n":2}',
      timestampSeconds: stamp,
    });
    expect(tampered.status).toBe(401);
    const old = await send({ id: "r-old", signedBody: "{}", sentBody: "{}", timestampSeconds: stamp - 301 });
    expect(old.status).toBe(401);
    const foreign = await postWebhook({
      url: receiver.url,
      secret: newWebhookSecret(),
      id: "r-foreign",
      body: "{}",
      now: NOW,
    });
    expect(foreign).toMatchObject({ kind: "permanent", status: 401 });

    const byId = new Map(receiver.received().map((entry) => [entry.webhook_id, entry]));
    expect(byId.get("r-tamper")).toMatchObject({ verified: false, body: { n: 2 }, reason: "no matching v1 signature" });
    expect(byId.get("r-old")).toMatchObject({ verified: false, reason: "webhook-timestamp too old" });
    expect(byId.get("r-foreign")).toMatchObject({ verified: false, status: 401 });
  });

  it("follows its clock: a request signed now fails once the receiver's clock is 10 minutes later", async () => {
    clockNow = new Date(NOW.getTime() + 600_000);
    try {
      expect(await postWebhook({ url: receiver.url, secret, id: "r-late", body: "{}", now: NOW })).toMatchObject({
        kind: "permanent",
        status: 401,
      });
    } finally {
      clockNow = NOW;
    }
  });

  it("answers the scripted statuses in order, then 200; or what a function of the request's number says", async () => {
    const scripted = await startWebhookReceiver({ secret });
    const post = async (id: string) => postWebhook({ url: scripted.url, secret, id, body: "{}", now: new Date() });
    try {
      scripted.respondWith([503, 500]);
      expect([(await post("s1")).kind, (await post("s2")).kind, (await post("s3")).kind]).toEqual([
        "retry",
        "retry",
        "delivered",
      ]);
      scripted.respondWith((count) => (count === 4 ? 429 : 202));
      expect(await post("f4")).toMatchObject({ kind: "retry", status: 429 });
      expect(await post("f5")).toEqual({ kind: "delivered", status: 202 });
      expect(scripted.received().map((entry) => entry.status)).toEqual([503, 500, 200, 429, 202]);
    } finally {
      await scripted.close();
    }
  });

  it("switched to fail, answers 500, 410, 429 with Retry-After or hangs, a bad signature still 401, then recovers", async () => {
    const failing = await startWebhookReceiver({ secret });
    const post = (id: string, timeoutMs = 5000) =>
      postWebhook({ url: failing.url, secret, id, body: "{}", now: new Date(), timeoutMs });
    try {
      failing.respondWith(() => 503); // the switch wins over the script while it is set
      failing.failWith({ status: 500 });
      expect(await post("x500")).toMatchObject({ kind: "retry", status: 500 });
      failing.failWith({ status: 410 });
      expect(await post("x410")).toMatchObject({ kind: "permanent", status: 410 });
      failing.failWith({ status: 429, retryAfterSeconds: 120 });
      expect(failing.failure()).toEqual({ status: 429, retryAfterSeconds: 120 });
      expect(await post("x429")).toMatchObject({ kind: "retry", status: 429, retryAfterSeconds: 120 });
      const foreign = await postWebhook({
        url: failing.url,
        secret: newWebhookSecret(),
        id: "xbad",
        body: "{}",
        now: new Date(),
      });
      expect(foreign).toMatchObject({ kind: "permanent", status: 401 });
      failing.failWith({ status: HANG });
      expect(await post("xhang", 300)).toMatchObject({ kind: "retry", reason: "timed out after 300 ms" });
      failing.failWith(undefined);
      expect(failing.failure()).toBeUndefined();
      expect(await post("x-script")).toMatchObject({ kind: "retry", status: 503 });
      expect(failing.received().map((entry) => [entry.webhook_id, entry.status])).toEqual([
        ["x500", 500],
        ["x410", 410],
        ["x429", 429],
        ["xbad", 401],
        ["xhang", HANG],
        ["x-script", 503],
      ]);
    } finally {
      await failing.close();
    }
  });

  it("keeps a non-JSON body as text, answers 405 to other methods", async () => {
    const stamp = NOW.getTime() / 1000;
    expect((await send({ id: "r-text", signedBody: "hi", sentBody: "hi", timestampSeconds: stamp })).status).toBe(200);
    expect(receiver.received().find((entry) => entry.webhook_id === "r-text")?.body).toBe("hi");
    expect((await fetch(receiver.url)).status).toBe(405);
  });

  it("closes even while a request hangs", async () => {
    const other = await startWebhookReceiver({ secret });
    other.respondWith(() => HANG);
    const pending = postWebhook({ url: other.url, secret, id: "h", body: "{}", now: new Date(), timeoutMs: 5000 });
    while (other.received().length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await other.close();
    expect(await pending).toMatchObject({ kind: "retry", reason: expect.stringMatching(/^network error/) });
  });

  it("with a log file, keeps what it received across a restart, skipping a line a kill cut short", async () => {
    const dir = mkdtempSync(join(tmpdir(), "receiver-log-"));
    const logFile = join(dir, "webhooks.jsonl");
    try {
      const first = await startWebhookReceiver({ secret, logFile });
      await postWebhook({ url: first.url, secret, id: "kept-1", body: "{}", now: new Date() });
      await first.close();
      appendFileSync(logFile, '{"webhook_id":"cut-sh');
      const second = await startWebhookReceiver({ secret, logFile });
      await postWebhook({ url: second.url, secret, id: "kept-2", body: "{}", now: new Date() });
      await second.close();
      const reloaded = await startWebhookReceiver({ secret, logFile });
      expect(reloaded.received().map((entry) => [entry.webhook_id, entry.status])).toEqual([
        ["kept-1", 200],
        ["kept-2", 200],
      ]);
      await reloaded.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
