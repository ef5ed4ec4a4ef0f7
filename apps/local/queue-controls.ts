import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";

/**
 * The console's look into the deliveries queues (fauxqs, which has no StartMessageMoveTask): a peek at messages
 * without consuming them, and a redrive from the dead-letter queue back to the source by receive, send, delete.
 * These are an operator's calls, made outside any function, so the IAM recorder does not count them.
 */
export interface PeekedMessage {
  readonly message_id: string;
  /** The body, parsed when it is JSON. */
  readonly body: unknown;
  /** Receives so far, this peek's included. */
  readonly receive_count: number;
  readonly sent_at: string | null;
}

/** How long a peeked message stays hidden if putting it back fails: short, so it is never held for long. */
const PEEK_VISIBILITY_SECONDS = 2;
const PEEK_MAX = 10;

const parseBody = (body: string | undefined): unknown => {
  try {
    return JSON.parse(body ?? "");
  } catch {
    return body ?? "";
  }
};

const peeked = (message: Message): PeekedMessage => {
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    message_id: message.MessageId ?? "",
    body: parseBody(message.Body),
    receive_count: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
    sent_at: Number.isFinite(sent) ? new Date(sent).toISOString() : null,
  };
};

/**
 * Up to 10 visible messages, received with a short visibility timeout and made visible again at once. As in the
 * AWS console, a peek is a receive: it counts toward the queue's maxReceiveCount (a message on its last receive
 * can be moved to the dead-letter queue by the peek itself), and the consumer may take a message meanwhile.
 */
export const peekMessages = async (sqs: SQSClient, queueUrl: string): Promise<PeekedMessage[]> => {
  const received = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: PEEK_MAX,
      VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ["All"],
    }),
  );
  const messages = received.Messages ?? [];
  if (messages.length > 0) {
    await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: queueUrl,
        Entries: messages.map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle ?? "",
          VisibilityTimeout: 0,
        })),
      }),
    );
  }
  return messages.map(peeked);
};

export interface RedriveResult {
  readonly moved: number;
  /** Messages whose send failed: made visible in the dead-letter queue again, never deleted. */
  readonly failed: number;
}

/**
 * Moves the dead-letter queue's visible messages back to the source queue, as StartMessageMoveTask would: each is
 * sent to the source (body and attributes kept; a new message, so its receive count starts again) and deleted
 * from the dead-letter queue only once the send succeeded. A failure between the two leaves a copy in both queues,
 * never none: the dispatcher acknowledges a delivery that is already final without posting it again. Bounded by
 * the depth it found, so messages that fail again and come back meanwhile are not moved twice.
 */
export const redrive = async (sqs: SQSClient, from: string, to: string): Promise<RedriveResult> => {
  const attributes = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: from, AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  const depth = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
  let moved = 0;
  let failed = 0;
  while (moved + failed < depth) {
    const received = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: from,
        MaxNumberOfMessages: Math.min(PEEK_MAX, depth - moved - failed),
        VisibilityTimeout: 30,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ["All"],
      }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      try {
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: to,
            MessageBody: message.Body ?? "",
            ...(message.MessageAttributes ? { MessageAttributes: message.MessageAttributes } : {}),
          }),
        );
      } catch {
        failed++;
        await sqs
          .send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: from,
              Entries: [{ Id: "0", ReceiptHandle: message.ReceiptHandle ?? "", VisibilityTimeout: 0 }],
            }),
          )
          .catch(() => undefined); // it comes back after its 30 s visibility timeout instead
        continue;
      }
      await sqs.send(new DeleteMessageCommand({ QueueUrl: from, ReceiptHandle: message.ReceiptHandle ?? "" }));
      moved++;
    }
  }
  return { moved, failed };
};
