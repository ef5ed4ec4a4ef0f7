import { eventually, type LocalStack } from "./client.ts";

export interface ReceivedWebhook {
  readonly webhook_id: string;
  readonly verified: boolean;
  readonly body: { readonly user_id?: string; readonly [key: string]: unknown };
  readonly received_at: string;
}

/** What the local receiver got for one user (GET /_local/webhooks). */
export const webhooksFor = async (stack: LocalStack, userId: string): Promise<ReceivedWebhook[]> => {
  const answer = await stack.control("GET", "/_local/webhooks");
  return (answer.body as ReceivedWebhook[]).filter((webhook) => webhook.body?.user_id === userId);
};

/** The first webhook for a user, waiting for the scheduler, the queue and the dispatcher to bring it. */
export const firstWebhookFor = async (stack: LocalStack, userId: string, who: string): Promise<ReceivedWebhook> => {
  const [first] = await eventually(async () => {
    const received = await webhooksFor(stack, userId);
    return received.length > 0 ? received : undefined;
  }, `the webhook of ${who}`);
  return first as ReceivedWebhook;
};

/**
 * Waits until the deliveries queue and its dead-letter queue hold nothing, visible or in flight (GET /_local/queues):
 * whatever the scheduler enqueued has been dispatched, so "no webhook" now means none was sent.
 */
export const queuesDrained = (stack: LocalStack): Promise<true> =>
  eventually(async () => {
    const { queues } = (await stack.control("GET", "/_local/queues")).body as {
      queues: Array<{ visible: number; in_flight: number; delayed: number }>;
    };
    return queues.every((queue) => queue.visible + queue.in_flight + queue.delayed === 0) ? true : undefined;
  }, "empty deliveries queues");
