import { LambdaClient } from "@aws-sdk/client-lambda";
import { observeAwsCalls } from "../aws/calls.ts";
import { type AwsEndpointOptions, localCredentials } from "../dynamodb/client.ts";

export interface LambdaClientOptions extends AwsEndpointOptions {
  /** How long one Invoke may take, response included, before it counts as failed. */
  readonly requestTimeoutMs: number;
}

/**
 * A Lambda client for synchronous invokes of our own functions. The SDK makes one attempt only: the caller's
 * retry policy knows which calls are safe to repeat (a Lambda invoke is not idempotent by itself), and two
 * stacked policies would multiply the attempts and the wait. Locally the endpoint is the runtime's Invoke API.
 */
export const makeLambdaClient = (options: LambdaClientOptions): LambdaClient =>
  observeAwsCalls(
    new LambdaClient({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint, credentials: localCredentials } : {}),
      maxAttempts: 1,
      requestHandler: { connectionTimeout: 2_000, requestTimeout: options.requestTimeoutMs },
    }),
    "lambda",
  );
