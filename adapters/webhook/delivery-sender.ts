import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { type WebhookOutcome, WebhookSender } from "../../core/scheduling/WebhookSender.ts";
import { Clock } from "../../core/shared/Clock.ts";
import { postWebhook } from "./client.ts";

/**
 * The WebhookSender port: a signed POST to the configured URL, timestamped by the Clock port (so the local
 * runtime's moved clock signs with the time every function sees). `postWebhook` never throws. The URL may be read
 * per send (an SSM parameter behind a short cache): when it cannot be read, the delivery is retried later.
 */
export const webhookDeliverySender = (options: {
  readonly url: string | (() => Promise<string>);
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
            Effect.promise(async (): Promise<WebhookOutcome> => {
              let url: string;
              try {
                url = typeof options.url === "string" ? options.url : await options.url();
              } catch (error) {
                const detail = error instanceof Error ? error.message : String(error);
                return { kind: "retry", reason: `webhook URL unavailable: ${detail}`.slice(0, 200) };
              }
              return postWebhook({
                url,
                secret: options.secret,
                id: deliveryId,
                body: JSON.stringify(payload),
                now,
                ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
              });
            }),
          ).pipe(Effect.withSpan("webhook.send", { attributes: { delivery_id: deliveryId } })),
      };
    }),
  );
