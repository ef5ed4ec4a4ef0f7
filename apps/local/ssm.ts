import { createServer, type IncomingMessage } from "node:http";
import { closeServer, listen } from "./ports.ts";

/**
 * A stand-in for SSM Parameter Store's GetParameter, enough for the dispatcher's webhook URL to be read through
 * `@aws-sdk/client-ssm` locally exactly as in AWS: the AWS JSON 1.1 protocol (`POST /`, `X-Amz-Target:
 * AmazonSSM.GetParameter`), String parameters, AWS's error shapes. Signatures are not checked (no IAM locally).
 */
export interface SsmStandIn {
  /** For `AWS_ENDPOINT_URL_SSM`. */
  readonly url: string;
  /** Sets a parameter's value, bumping its version as PutParameter would. */
  put(name: string, value: string): void;
  close(): Promise<void>;
}

/** The parameter the local dispatcher reads its URL from, named like the stacks' (`/rendezvous/<stage>/...`). */
export const LOCAL_WEBHOOK_URL_PARAMETER = "/rendezvous/local/webhook-url";

const JSON_1_1 = "application/x-amz-json-1.1";

const bodyOf = (request: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });

export const startSsmStandIn = async (options: {
  readonly port: number;
  readonly region: string;
  readonly parameters?: Readonly<Record<string, string>>;
}): Promise<SsmStandIn> => {
  const parameters = new Map<string, { value: string; version: number; modified: number }>();
  const put = (name: string, value: string) =>
    parameters.set(name, { value, version: (parameters.get(name)?.version ?? 0) + 1, modified: Date.now() / 1000 });
  for (const [name, value] of Object.entries(options.parameters ?? {})) put(name, value);

  const answer = (status: number, body: unknown) => ({ status, body });
  const fault = (type: string, message: string) => answer(400, { __type: type, message });
  const getParameter = (input: unknown) => {
    const name = (input as { Name?: unknown } | null)?.Name;
    if (typeof name !== "string" || name.length === 0) return fault("ValidationException", "Name: required");
    const parameter = parameters.get(name);
    if (!parameter) return fault("ParameterNotFound", `Parameter ${name} not found.`);
    return answer(200, {
      Parameter: {
        Name: name,
        Type: "String",
        Value: parameter.value,
        Version: parameter.version,
        LastModifiedDate: parameter.modified,
        ARN: `arn:aws:ssm:${options.region}:000000000000:parameter/${name.replace(/^\//, "")}`,
        DataType: "text",
      },
    });
  };

  const server = createServer(async (request, response) => {
    const target = request.headers["x-amz-target"];
    const body = await bodyOf(request);
    let input: unknown;
    try {
      input = body ? JSON.parse(body) : {};
    } catch {
      input = undefined;
    }
    const result =
      request.method !== "POST" || input === undefined
        ? fault("SerializationException", "expected a POST with a JSON body")
        : target === "AmazonSSM.GetParameter"
          ? getParameter(input)
          : fault("UnknownOperationException", `${String(target)}: the local stand-in serves GetParameter only`);
    response.writeHead(result.status, { "content-type": JSON_1_1 }).end(JSON.stringify(result.body));
  });
  const port = await listen(server, "ssm", options.port);
  return { url: `http://127.0.0.1:${port}`, put, close: () => closeServer(server) };
};
