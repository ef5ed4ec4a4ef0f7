import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface FunctionUrlArgs {
  readonly functionName: pulumi.Input<string>;
  /** The alias the URL invokes (`live`): a rollback moves what the URL serves. */
  readonly qualifier: pulumi.Input<string>;
  /** `NONE` (public; the handler authenticates) or `AWS_IAM` (SigV4-signed callers only). */
  readonly auth: "NONE" | "AWS_IAM";
  /** Browser origins allowed by CORS. @default [] (no CORS) */
  readonly corsOrigins?: readonly string[];
}

/**
 * A function URL on an alias. A public (`NONE`) URL needs two resource-policy statements since AWS's October 2025 change:
 * `lambda:InvokeFunctionUrl` for the URL and `lambda:InvokeFunction` restricted to calls made via the URL.
 * An `AWS_IAM` URL gets none: callers need their own identity policy.
 */
export class FunctionUrl extends pulumi.ComponentResource {
  readonly url: pulumi.Output<string>;

  constructor(name: string, args: FunctionUrlArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:FunctionUrl", name, {}, opts);
    const origins = args.corsOrigins ?? [];
    const url = new aws.lambda.FunctionUrl(
      name,
      {
        functionName: args.functionName,
        qualifier: args.qualifier,
        authorizationType: args.auth,
        ...(origins.length > 0
          ? {
              cors: {
                allowOrigins: [...origins],
                allowMethods: ["*"],
                allowHeaders: ["authorization", "content-type"],
                maxAge: 3600,
              },
            }
          : {}),
      },
      { parent: this },
    );
    if (args.auth === "NONE") {
      new aws.lambda.Permission(
        `${name}-url`,
        {
          function: args.functionName,
          qualifier: args.qualifier,
          action: "lambda:InvokeFunctionUrl",
          principal: "*",
          functionUrlAuthType: "NONE",
        },
        { parent: this },
      );
      new aws.lambda.Permission(
        `${name}-invoke`,
        {
          function: args.functionName,
          qualifier: args.qualifier,
          action: "lambda:InvokeFunction",
          principal: "*",
          invokedViaFunctionUrl: true,
        },
        { parent: this },
      );
    }
    this.url = url.functionUrl;
    this.registerOutputs({ url: this.url });
  }
}
