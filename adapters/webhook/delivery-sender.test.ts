import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WebhookPayload } from "../../core/scheduling/model.ts";
import { WebhookSender } from "../../core/scheduling/WebhookSender.ts";
import { SettableClock } from "../memory/clock.ts";
import { webhookDeliverySender } from "./delivery-sender.ts";
import { HANG, startWebhookReceiver, type WebhookReceiver } from "./receiver.ts";
import { newWebhookSecret } from "./signature.ts";

const secret = newWebhookSecret();
let receiver: WebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver({ secret });
});
afterAll(() => receiver.close());

const payload: WebhookPayload = {
  message: "Hey, John Doe it's your birthday",
  user_id: "u-1",
  event_id: "e-1",
  event_type: "birthday",
  occurrence: "2026-03-07",
  timestamp: "2026-03-07T09:00:00.000Z",
};

const send = (
  clock: SettableClock,
  id: string,
  timeoutMs = 2000,
  url: string | (() => Promise<string>) = receiver.url,
) =>
  Effect.runPromise(
    Effect.provide(
      Effect.gen(function* () {
        return yield* (yield* WebhookSender).send(id, payload);
      }),
      webhookDeliverySender({ url, secret, timeoutMs }).pipe(Layer.provide(clock.layer)),
    ),
  );

describe("the webhook delivery sender against a verifying receiver", () => {
  it("posts the payload signed, with the delivery id as webhook-id and the Clock's time as its timestamp", async () => {
    receiver.respondWith(() => 200);
    const clock = new SettableClock(new Date());
    expect(await send(clock, "delivery-1")).toEqual({ kind: "delivered", status: 200 });
    const got = receiver.received().at(-1);
    expect(got).toMatchObject({ webhook_id: "delivery-1", verified: true, body: payload, status: 200 });
  });

  it("signs with the moved clock, so a receiver on another time refuses it (the local runtime shares one clock)", async () => {
    const clock = new SettableClock("2020-01-01T00:00:00Z");
    expect(await send(clock, "delivery-2")).toMatchObject({ kind: "permanent", status: 401 });
    expect(receiver.received().at(-1)).toMatchObject({ webhook_id: "delivery-2", verified: false });
  });

  it("classifies a 503 as retry, a 410 as permanent and a hung receiver as a retry after the timeout", async () => {
    const clock = new SettableClock(new Date());
    receiver.respondWith(() => 503);
    expect(await send(clock, "delivery-3")).toMatchObject({ kind: "retry", status: 503 });
    receiver.respondWith(() => 410);
    expect(await send(clock, "delivery-4")).toMatchObject({ kind: "permanent", status: 410 });
    receiver.respondWith(() => HANG);
    expect(await send(clock, "delivery-5", 200)).toMatchObject({ kind: "retry", reason: "timed out after 200 ms" });
  });

  it("reads a URL given as a function on every send, and retries later when it cannot be read", async () => {
    receiver.respondWith(() => 200);
    const clock = new SettableClock(new Date());
    let reads = 0;
    const url = async () => {
      reads += 1;
      return receiver.url;
    };
    expect(await send(clock, "delivery-6", 2000, url)).toEqual({ kind: "delivered", status: 200 });
    expect(await send(clock, "delivery-7", 2000, url)).toEqual({ kind: "delivered", status: 200 });
    expect(reads).toBe(2);
    const unreadable = () => Promise.reject(new Error("ThrottlingException: Rate exceeded"));
    expect(await send(clock, "delivery-8", 2000, unreadable)).toEqual({
      kind: "retry",
      reason: "webhook URL unavailable: ThrottlingException: Rate exceeded",
    });
    expect(receiver.received().some((r) => r.webhook_id === "delivery-8")).toBe(false);
  });
});
