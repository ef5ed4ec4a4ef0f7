import { SendMessageBatchCommand, type SendMessageBatchRequestEntry, type SQSClient } from "@aws-sdk/client-sqs";

/**
 * SendMessageBatch over any number of messages: chunks of at most 10 entries and 256 KiB of bodies, entries that
 * failed retried on their own with a short backoff, and a result that calls a message accepted only when SQS
 * listed it under `Successful`. Anything else (rejected, never answered, call failed) is reported failed, so the
 * caller never marks queued a delivery SQS does not hold.
 */
export interface OutgoingMessage {
  readonly id: string;
  readonly body: string;
  readonly delaySeconds?: number;
}

export interface BatchSendResult {
  accepted: string[];
  failed: Array<{ id: string; reason: string }>;
}

export const MAX_BATCH_ENTRIES = 10;
export const MAX_BATCH_BYTES = 256 * 1024;
const MAX_DELAY_SECONDS = 900;
const RETRY_BASE_MS = 50;

/** Groups in order; a message alone over the byte limit gets a chunk of its own, so it fails alone. */
export const chunkMessages = <M extends { readonly body: string }>(messages: ReadonlyArray<M>): M[][] => {
  const chunks: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = Buffer.byteLength(message.body, "utf8");
    if (current.length === MAX_BATCH_ENTRIES || (current.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
};

const entryOf = (message: OutgoingMessage, index: number): SendMessageBatchRequestEntry => ({
  // Entry ids need only be unique within one call; positions avoid SQS's rules on id characters and length.
  Id: String(index),
  MessageBody: message.body,
  ...(message.delaySeconds === undefined
    ? {}
    : { DelaySeconds: Math.min(MAX_DELAY_SECONDS, Math.max(0, Math.ceil(message.delaySeconds) || 0)) }),
});

const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : `unknown error: ${String(error)}`;

/** A rejected request (bad input, missing queue) fails the same way again; throttling and 5xx may not. */
const isRetryableCall = (error: unknown): boolean => {
  const fault = (error as { $fault?: string } | undefined)?.$fault;
  const name = error instanceof Error ? error.name : "";
  return fault !== "client" || /throttl/i.test(name);
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const sendChunk = async (
  sqs: SQSClient,
  queueUrl: string,
  chunk: ReadonlyArray<OutgoingMessage>,
  maxAttempts: number,
): Promise<BatchSendResult> => {
  const result: BatchSendResult = { accepted: [], failed: [] };
  let pending = chunk.map((message, index) => ({ message, index, reason: "not sent" }));
  for (let attempt = 1; pending.length > 0; attempt++) {
    const retry: typeof pending = [];
    try {
      const response = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: pending.map(({ message, index }) => entryOf(message, index)),
        }),
      );
      const succeeded = new Set((response.Successful ?? []).map((entry) => entry.Id));
      const errors = new Map((response.Failed ?? []).map((entry) => [entry.Id, entry]));
      for (const item of pending) {
        const error = errors.get(String(item.index));
        if (succeeded.has(String(item.index))) result.accepted.push(item.message.id);
        else if (error?.SenderFault) {
          result.failed.push({ id: item.message.id, reason: `${error.Code}: ${error.Message ?? "rejected"}` });
        } else {
          retry.push({ ...item, reason: error ? `${error.Code}: ${error.Message ?? "failed"}` : "no result from SQS" });
        }
      }
    } catch (error) {
      const reason = errorText(error);
      if (!isRetryableCall(error)) {
        result.failed.push(...pending.map(({ message }) => ({ id: message.id, reason })));
        return result;
      }
      retry.push(...pending.map((item) => ({ ...item, reason })));
    }
    if (retry.length > 0 && attempt >= maxAttempts) {
      result.failed.push(...retry.map(({ message, reason }) => ({ id: message.id, reason })));
      return result;
    }
    if (retry.length > 0) await sleep(RETRY_BASE_MS * 2 ** (attempt - 1));
    pending = retry;
  }
  return result;
};

export const sendInBatches = async (
  sqs: SQSClient,
  queueUrl: string,
  messages: ReadonlyArray<OutgoingMessage>,
  options: { maxAttempts?: number; concurrency?: number } = {},
): Promise<BatchSendResult> => {
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const chunks = chunkMessages(messages);
  const results: BatchSendResult[] = new Array(chunks.length);
  let next = 0;
  // A few calls in flight: a burst of thousands of deliveries is bound by round trips, not by SQS.
  const worker = async () => {
    while (next < chunks.length) {
      const index = next++;
      results[index] = await sendChunk(sqs, queueUrl, chunks[index] ?? [], maxAttempts);
    }
  };
  await Promise.all(Array.from({ length: Math.min(chunks.length, Math.max(1, options.concurrency ?? 4)) }, worker));
  return {
    accepted: results.flatMap((result) => result.accepted),
    failed: results.flatMap((result) => result.failed),
  };
};
