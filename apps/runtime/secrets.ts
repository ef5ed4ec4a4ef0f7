import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { observeAwsCalls, recordAwsCall } from "../../adapters/aws/calls.ts";
import { registerSecret } from "../observe/redact.ts";
import { awsRegion } from "./env.ts";

/**
 * Secrets never sit in a function's environment in AWS: it holds the secret's ARN, and the value is read once per
 * cold start. Locally there is no Secrets Manager, so the local runtime passes the value itself under `plainName`.
 */
let client: SecretsManagerClient | undefined;
const cache = new Map<string, Promise<string>>();

export const readSecret = (arnName: string, plainName: string, env = process.env): Promise<string> => {
  const plain = env[plainName];
  if (plain) {
    // The local stand-in for the read the function makes in AWS: recorded so its grant is proven used.
    recordAwsCall({ service: "secretsmanager", action: "GetSecretValue", resource: env[arnName] ?? arnName });
    registerSecret(plain);
    return Promise.resolve(plain);
  }
  const arn = env[arnName];
  if (!arn) return Promise.reject(new Error(`configuration: set ${arnName} (or ${plainName} when running locally)`));
  let value = cache.get(arn);
  if (!value) {
    client ??= observeAwsCalls(new SecretsManagerClient({ region: awsRegion(env) }), "secretsmanager");
    value = client.send(new GetSecretValueCommand({ SecretId: arn })).then((answer) => {
      if (!answer.SecretString) throw new Error(`secret ${arnName} has no string value`);
      registerSecret(answer.SecretString);
      return answer.SecretString;
    });
    value.catch(() => cache.delete(arn)); // a failed read is retried by the next invocation
    cache.set(arn, value);
  }
  return value;
};
