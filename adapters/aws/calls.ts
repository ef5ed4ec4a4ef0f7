/**
 * Every AWS call a function makes, reported as IAM sees it: `{service, action, resource}` (the resource as the
 * call names it: a table and index, a queue URL, a function, a parameter, a secret). Nothing is recorded in AWS:
 * the local runtime installs a hook under a global symbol, attributes each call to the function being invoked,
 * and the infra tests hold the recorded calls against each function's generated policy (issue 14).
 */
export interface AwsCall {
  /** IAM's service prefix: `dynamodb`, `sqs`, `lambda`, `ssm`, `secretsmanager`, `rds-db`. */
  readonly service: string;
  /** IAM's action name, e.g. `GetItem`, `SendMessage` (a batch command is authorized by its single action). */
  readonly action: string;
  readonly resource: string;
}

export const AWS_CALLS_HOOK = Symbol.for("rendezvous.awsCalls");
type Hook = (call: AwsCall) => void;

/**
 * Reports a call to the hook when one is installed. Code that stands in locally for an AWS call (a secret passed
 * as a plain value, a database password read from a file instead of an IAM auth token) calls this itself, so the
 * call the function makes in AWS is still recorded.
 */
export const recordAwsCall = (call: AwsCall): void => {
  (globalThis as { [AWS_CALLS_HOOK]?: Hook })[AWS_CALLS_HOOK]?.(call);
};

/** Batch commands IAM authorizes with the single action. */
const IAM_ACTION: Record<string, string> = {
  DeleteMessageBatch: "DeleteMessage",
  SendMessageBatch: "SendMessage",
  ChangeMessageVisibilityBatch: "ChangeMessageVisibility",
  Invoke: "InvokeFunction",
};

/** The resource a command's input names, in the order the services name it. */
const resourceOf = (input: Record<string, unknown>): string => {
  if (typeof input.TableName === "string") {
    return typeof input.IndexName === "string" ? `${input.TableName}/index/${input.IndexName}` : input.TableName;
  }
  for (const key of ["QueueUrl", "FunctionName", "SecretId", "Name"]) {
    if (typeof input[key] === "string") return input[key];
  }
  return "*";
};

interface MiddlewareClient {
  readonly middlewareStack: {
    // biome-ignore lint/suspicious/noExplicitAny: the SDK's middleware types differ per client; this shape is common
    add(middleware: any, options: { step: "initialize"; name: string }): void;
  };
}

/** Installs the recording middleware on an SDK client (`service` is IAM's prefix for it) and returns the client. */
export const observeAwsCalls = <C extends MiddlewareClient>(client: C, service: string): C => {
  client.middlewareStack.add(
    (next: (args: { input: Record<string, unknown> }) => Promise<unknown>, context: { commandName?: string }) =>
      (args: { input: Record<string, unknown> }) => {
        const command = (context.commandName ?? "Unknown").replace(/Command$/, "");
        recordAwsCall({ service, action: IAM_ACTION[command] ?? command, resource: resourceOf(args.input) });
        return next(args);
      },
    { step: "initialize", name: "rendezvousAwsCalls" },
  );
  return client;
};
