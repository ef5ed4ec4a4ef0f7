import * as Context from "effect/Context";
import type * as Effect from "effect/Effect";
import type { WebhookPayload } from "./model.ts";

/** How one webhook call ended: 2xx, worth retrying (408/429/5xx/timeout), or refused for good (other 4xx). */
export type WebhookOutcome =
  | { readonly kind: "delivered"; readonly status: number }
  | {
      readonly kind: "retry";
      readonly status?: number;
      readonly retryAfterSeconds?: number;
      readonly reason: string;
    }
  | { readonly kind: "permanent"; readonly status: number; readonly reason: string };

/** Posts a signed webhook; `deliveryId` is the `webhook-id`, the same on every retry. Never fails: see outcome. */
export class WebhookSender extends Context.Service<
  WebhookSender,
  {
    readonly send: (deliveryId: string, payload: WebhookPayload) => Effect.Effect<WebhookOutcome>;
  }
>()("core/scheduling/WebhookSender") {}
