import { CreateQueueCommand, PurgeQueueCommand } from "@aws-sdk/client-sqs";
import { startSqs } from "../adapters/local-engines/sqs.ts";
import { sendInBatches } from "../adapters/sqs/batch-send.ts";
import { makeSqsClient } from "../adapters/sqs/client.ts";
import { postWebhook } from "../adapters/webhook/client.ts";
import { startWebhookReceiver } from "../adapters/webhook/receiver.ts";
import { newWebhookSecret, signWebhook, verifyWebhook } from "../adapters/webhook/signature.ts";
import { table, timed, writeSection } from "./report.ts";

/**
 * Delivery adapters: Standard Webhooks sign/verify per second, SendMessageBatch throughput to an in-process fauxqs
 * (by concurrency), and signed POSTs per second to the local verifying receiver over loopback HTTP.
 */
const SIGNATURES = 100_000;
const MESSAGES = 20_000;
const POSTS = 2_000;

const perSecond = (count: number, ms: number): string => Math.round((count / ms) * 1000).toLocaleString("en-US");

const body = JSON.stringify({
  message: "Hey, John Doe it's your birthday",
  user_id: "0193a8f0-0000-7000-8000-000000000001",
  event_id: "0193a8f0-0000-7000-8000-000000000002",
  event_type: "birthday",
  occurrence: "2026-11-23",
  timestamp: "2026-11-23T14:00:00.000Z",
});

const signing = async (secret: string) => {
  const now = 1_795_424_400;
  const signed = await timed(() => {
    let last = "";
    for (let i = 0; i < SIGNATURES; i++) last = signWebhook({ secret, id: `d${i}`, timestampSeconds: now, body });
    return last;
  });
  const headers = {
    "webhook-id": `d${SIGNATURES - 1}`,
    "webhook-timestamp": String(now),
    "webhook-signature": signed.value,
  };
  const verified = await timed(() => {
    let ok = 0;
    for (let i = 0; i < SIGNATURES; i++) if (verifyWebhook({ secret, headers, body, nowSeconds: now }).ok) ok++;
    return ok;
  });
  if (verified.value !== SIGNATURES) throw new Error("verification failed in the benchmark");
  return [
    ["sign", SIGNATURES, perSecond(SIGNATURES, signed.ms)],
    ["verify", SIGNATURES, perSecond(SIGNATURES, verified.ms)],
  ];
};

const batching = async () => {
  const engine = await startSqs();
  try {
    const sqs = makeSqsClient({ region: "us-east-1", endpoint: engine.endpoint });
    const queue = await sqs.send(new CreateQueueCommand({ QueueName: "bench-deliveries" }));
    const url = queue.QueueUrl ?? "";
    const messages = Array.from({ length: MESSAGES }, (_, i) => ({ id: `d${i}`, body }));
    const rows: Array<Array<string | number>> = [];
    for (const concurrency of [1, 4, 8]) {
      const sent = await timed(() => sendInBatches(sqs, url, messages, { concurrency }));
      if (sent.value.accepted.length !== MESSAGES) throw new Error(`only ${sent.value.accepted.length} accepted`);
      rows.push([`sendInBatches, concurrency ${concurrency}`, MESSAGES, perSecond(MESSAGES, sent.ms)]);
      await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    }
    return rows;
  } finally {
    await engine.stop();
  }
};

const posting = async (secret: string) => {
  const receiver = await startWebhookReceiver({ secret });
  try {
    let next = 0;
    let delivered = 0;
    const worker = async () => {
      while (next < POSTS) {
        const id = `p${next++}`;
        const outcome = await postWebhook({ url: receiver.url, secret, id, body, now: new Date() });
        if (outcome.kind === "delivered") delivered++;
      }
    };
    const posted = await timed(() => Promise.all(Array.from({ length: 10 }, worker)));
    if (delivered !== POSTS || !receiver.received().every((entry) => entry.verified)) {
      throw new Error("not every benchmark webhook was delivered and verified");
    }
    return [["postWebhook to the local receiver, 10 in flight", POSTS, perSecond(POSTS, posted.ms)]];
  } finally {
    await receiver.close();
  }
};

export const run = async (): Promise<void> => {
  const secret = newWebhookSecret();
  const rows = [...(await signing(secret)), ...(await batching()), ...(await posting(secret))];
  writeSection(
    "delivery",
    `## Delivery adapters\n\nCommand: \`npm run bench -- delivery\`. A ${body.length}-byte birthday payload; SQS is fauxqs in the same process (so its own CPU cost is included), the receiver is a loopback HTTP server verifying every signature.\n\n${table(["operation", "count", "per second"], rows)}`,
  );
};
