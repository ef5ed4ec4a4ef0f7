import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { observeAwsCalls } from "../aws/calls.ts";

export interface AwsEndpointOptions {
  readonly region: string;
  /** Set for local engines (dynalite, fauxqs); absent in AWS. */
  readonly endpoint?: string | undefined;
}

/** Local engines accept any credentials; the SDK still insists on having some. */
export const localCredentials = { accessKeyId: "local", secretAccessKey: "local" };

/** A document client (plain JS values in and out) with empty strings and undefined handled the same everywhere. */
export const makeDynamoDocumentClient = (options: AwsEndpointOptions): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    observeAwsCalls(
      new DynamoDBClient({
        region: options.region,
        ...(options.endpoint ? { endpoint: options.endpoint, credentials: localCredentials } : {}),
        maxAttempts: 3,
      }),
      "dynamodb",
    ),
    { marshallOptions: { removeUndefinedValues: true } },
  );
