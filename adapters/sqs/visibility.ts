import { ChangeMessageVisibilityCommand, type SQSClient } from "@aws-sdk/client-sqs";

/** SQS's limit on a message's visibility timeout. */
export const MAX_VISIBILITY_SECONDS = 43_200;

/**
 * Hides a received message for `seconds` (clamped to 0..12 h, rounded up), so its next receive, and so the next
 * delivery attempt, happens after the backoff instead of after the queue's default visibility timeout.
 */
export const delayRetry = async (
  sqs: SQSClient,
  queueUrl: string,
  receiptHandle: string,
  seconds: number,
): Promise<void> => {
  const clamped = Number.isNaN(seconds) ? 0 : Math.min(MAX_VISIBILITY_SECONDS, Math.max(0, Math.ceil(seconds)));
  await sqs.send(
    new ChangeMessageVisibilityCommand({
      QueueUrl: queueUrl,
      ReceiptHandle: receiptHandle,
      VisibilityTimeout: clamped,
    }),
  );
};
