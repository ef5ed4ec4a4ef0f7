/**
 * The AWS event shapes the handlers receive, as AWS sends them (only the fields this project reads are typed;
 * everything else is carried through untouched). Samples: ../shared/aws-events.
 */

/** A Lambda function URL request, payload format 2.0. */
export interface FunctionUrlEvent {
  readonly version: "2.0";
  readonly rawPath: string;
  readonly rawQueryString: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly cookies?: readonly string[];
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly requestContext: {
    readonly requestId: string;
    readonly timeEpoch: number;
    readonly http: { readonly method: string; readonly path: string; readonly sourceIp: string };
    readonly [key: string]: unknown;
  };
  readonly body?: string | null;
  readonly isBase64Encoded: boolean;
}

/** What a function URL handler returns. */
export interface FunctionUrlResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded?: boolean;
  readonly cookies?: readonly string[];
}

export interface SqsRecord {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: string;
  readonly attributes: { readonly ApproximateReceiveCount: string; readonly [key: string]: string | undefined };
  readonly messageAttributes: Readonly<Record<string, unknown>>;
  readonly eventSource: "aws:sqs";
  readonly eventSourceARN: string;
  readonly awsRegion: string;
  readonly md5OfBody?: string;
}

export interface SqsEvent {
  readonly Records: readonly SqsRecord[];
}

/** Partial batch response: only the listed messages are retried (needs ReportBatchItemFailures). */
export interface SqsBatchResponse {
  readonly batchItemFailures: ReadonlyArray<{ readonly itemIdentifier: string }>;
}

/**
 * What EventBridge Scheduler passes to a Lambda target: the schedule's `Input`, which this project sets to this
 * shape (the scheduled time lets a late or retried invocation know which tick it is).
 */
export interface ScheduledEvent {
  readonly source: "rendezvous.schedule";
  readonly schedule: string;
  /** `<aws.scheduler.scheduled-time>`: the tick this invocation belongs to. */
  readonly scheduled_time: string;
}
