import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { backoffSeconds, parseRetryAfter, postWebhook } from "./client.ts";
import { DROP, HANG, startWebhookReceiver } from "./receiver.ts";
import { newWebhookSecret } from "./signature.ts";

const secret = newWebhookSecret();
const receiver = await startWebhookReceiver({ secret });
afterAll(() => receiver.close());

const body = JSON.stringify({ message: "Hey, John Doe it's your birthday", occurrence: "2026-11-23" });
const post = (id: string, overrides: Partial<Parameters<typeof postWebhook>[0]> = {}) =>
  postWebhook({ url: receiver.url, secret, id, body, now: new Date(), ...overrides });
const receivedFor = (id: string) => receiver.received().filter((entry) => entry.webhook_id === id);

/** A plain server answering every request with `status` and `headers`, recording the request headers. */
const scriptedServer = async (status: number, headers: Record<string, string> = {}) => {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((request, response) => {
    seen.push(request.headers);
    request.resume().on("end", () => response.writeHead(status, headers).end("nope"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { url, seen };
};

describe("postWebhook", () => {
  it("delivers on 2xx, signed so the receiver verifies it, with the delivery id as webhook-id", async () => {
    receiver.respondWith([]);
    expect(await post("delivery-ok")).toEqual({ kind: "delivered", status: 200 });
    const [entry] = receivedFor("delivery-ok");
    expect(entry).toMatchObject({ verified: true, status: 200, body: JSON.parse(body) });
  });

  it("sends JSON with the three Standard Webhooks headers and the timestamp of `now`", async () => {
    const server = await scriptedServer(204);
    const now = new Date("2026-11-23T09:00:00.900Z");
    expect(await postWebhook({ url: server.url, secret, id: "d-headers", body, now })).toEqual({
      kind: "delivered",
      status: 204,
    });
    expect(server.seen[0]).toMatchObject({
      "content-type": "application/json",
      "webhook-id": "d-headers",
      "webhook-timestamp": "1795424400",
    });
    expect(server.seen[0]?.["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
  });

  it("retries 408, 429 and 5xx; keeps the same webhook-id on every attempt", async () => {
    receiver.respondWith((count) => [408, 429, 500, 503, 200][receivedFor("delivery-retry").length] ?? count);
    for (const status of [408, 429, 500, 503]) {
      expect(await post("delivery-retry")).toMatchObject({
        kind: "retry",
        status,
        reason: `HTTP ${status}: {"status":${status}}`,
      });
    }
    expect(await post("delivery-retry")).toEqual({ kind: "delivered", status: 200 });
    const attempts = receivedFor("delivery-retry");
    expect(attempts.map((entry) => entry.status)).toEqual([408, 429, 500, 503, 200]);
    expect(attempts.every((entry) => entry.verified)).toBe(true);
  });

  it("treats other 4xx as permanent, and does not follow redirects", async () => {
    for (const status of [400, 404, 410, 422]) {
      receiver.respondWith(() => status);
      expect(await post(`delivery-${status}`)).toMatchObject({ kind: "permanent", status });
    }
    const redirect = await scriptedServer(302, { location: receiver.url });
    const before = receiver.received().length;
    expect(await postWebhook({ url: redirect.url, secret, id: "d-302", body, now: new Date() })).toMatchObject({
      kind: "permanent",
      status: 302,
    });
    expect(receiver.received()).toHaveLength(before);
  });

  it("reads Retry-After in seconds or as an HTTP-date relative to `now`", async () => {
    const now = new Date("2026-11-23T09:00:00Z");
    const seconds = await scriptedServer(429, { "retry-after": "120" });
    expect(await postWebhook({ url: seconds.url, secret, id: "d-ra1", body, now })).toMatchObject({
      kind: "retry",
      status: 429,
      retryAfterSeconds: 120,
    });
    const date = await scriptedServer(503, { "retry-after": "Mon, 23 Nov 2026 09:01:30 GMT" });
    expect(await postWebhook({ url: date.url, secret, id: "d-ra2", body, now })).toMatchObject({
      kind: "retry",
      status: 503,
      retryAfterSeconds: 90,
    });
    const garbage = await scriptedServer(503, { "retry-after": "soon" });
    const outcome = await postWebhook({ url: garbage.url, secret, id: "d-ra3", body, now });
    expect(outcome).toMatchObject({ kind: "retry", status: 503 });
    expect(outcome).not.toHaveProperty("retryAfterSeconds");
  });

  it("retries a hung receiver after the timeout, a dropped connection, and a refused connection", async () => {
    receiver.respondWith(() => HANG);
    expect(await post("delivery-hang", { timeoutMs: 150 })).toEqual({
      kind: "retry",
      reason: "timed out after 150 ms",
    });
    receiver.respondWith(() => DROP);
    expect(await post("delivery-drop")).toMatchObject({
      kind: "retry",
      reason: expect.stringMatching(/^network error/),
    });

    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    expect(await post("delivery-refused", { url: `http://127.0.0.1:${port}/` })).toEqual({
      kind: "retry",
      reason: "network error: ECONNREFUSED",
    });
  });

  it("never throws: a malformed secret or URL is a retry, fixed by configuration", async () => {
    expect(await post("d-bad-secret", { secret: "whsec_%%" })).toEqual({
      kind: "retry",
      reason: "invalid webhook secret",
    });
    expect(await post("d-bad-url", { url: "not a url" })).toMatchObject({ kind: "retry" });
  });

  it("is refused by a receiver holding another secret (401, permanent)", async () => {
    receiver.respondWith([]);
    expect(await post("d-wrong-secret", { secret: newWebhookSecret() })).toMatchObject({
      kind: "permanent",
      status: 401,
    });
    expect(receivedFor("d-wrong-secret")[0]).toMatchObject({ verified: false, reason: "no matching v1 signature" });
  });
});

describe("parseRetryAfter", () => {
  const now = new Date("2026-11-23T09:00:00Z");
  it("parses seconds and dates, clamps past dates to 0, ignores the rest", () => {
    expect(parseRetryAfter("0", now)).toBe(0);
    expect(parseRetryAfter(" 45 ", now)).toBe(45);
    expect(parseRetryAfter("Mon, 23 Nov 2026 08:00:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("backoffSeconds", () => {
  it("doubles from 30 s per receive up to 15 min", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map((n) => backoffSeconds(n))).toEqual([30, 60, 120, 240, 480, 900, 900, 900]);
    expect(backoffSeconds(0)).toBe(30);
    expect(backoffSeconds(Number.NaN)).toBe(30);
  });

  it("lets a larger Retry-After win, capped at SQS's 12 h visibility limit", () => {
    expect(backoffSeconds(1, 10)).toBe(30);
    expect(backoffSeconds(1, 3600)).toBe(3600);
    expect(backoffSeconds(6, 100_000)).toBe(43_200);
    expect(backoffSeconds(2, 60.2)).toBe(61);
  });
});
