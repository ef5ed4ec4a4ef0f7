import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { WebhookSender } from "../../core/scheduling/WebhookSender.ts";
import { Clock } from "../../core/shared/Clock.ts";
import { postWebhook } from "./client.ts";

/**
 * The WebhookSender port: a signed POST to the configured URL, timestamped by the Clock port (so the local
 * runtime's moved clock signs with the time every function sees). `postWebhook` never throws.
 */
export const webhookDeliverySender = (options: {
  readonly url: string;
  readonly secret: string;
  readonly timeoutMs?: number;
}): Layer.Layer<WebhookSender, never, Clock> =>
  Layer.effect(
    WebhookSender,
    Effect.gen(function* () {
      const clock = yield* Clock;
      return {
        send: (deliveryId, payload) =>
          Effect.flatMap(clock.now, (now) =>
            Effect.promise(() =>
              postWebhook({
                url: options.url,
                secret: options.secret,
                id: deliveryId,
                body: JSON.stringify(payload),
                now,
                ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
              }),
            ),
          ),
      };
    }),
  );
