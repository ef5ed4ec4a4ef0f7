import { SQSClient } from "@aws-sdk/client-sqs";
import { observeAwsCalls } from "../aws/calls.ts";
import { type AwsEndpointOptions, localCredentials } from "../dynamodb/client.ts";

/**
 * An SQS client. With an endpoint override (fauxqs) the SDK must not route by the queue URL's host, which does
 * not resolve locally: `useQueueUrlAsEndpoint: false`.
 */
export const makeSqsClient = (options: AwsEndpointOptions): SQSClient =>
  observeAwsCalls(
    new SQSClient({
      region: options.region,
      ...(options.endpoint
        ? { endpoint: options.endpoint, credentials: localCredentials, useQueueUrlAsEndpoint: false }
        : {}),
      maxAttempts: 3,
    }),
    "sqs",
  );
