import { randomBytes } from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface WebhookSecretArgs {
  /** Days Secrets Manager keeps a deleted secret; 0 deletes at once (staging). @default 7 */
  readonly recoveryWindowDays?: number;
}

/**
 * The Standard Webhooks signing secret (`whsec_<base64 of 32 random bytes>`). Generated once, on the first deploy;
 * later deploys leave the stored value alone (rotate it with `aws secretsmanager put-secret-value`). Pulumi keeps
 * the first value encrypted as a secret in the stack state; functions receive only the ARN.
 */
export class WebhookSecret extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: WebhookSecretArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:WebhookSecret", name, {}, opts);
    const secret = new aws.secretsmanager.Secret(
      name,
      {
        description: "Standard Webhooks signing secret of the deliveries",
        recoveryWindowInDays: args.recoveryWindowDays ?? 7,
      },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(
      name,
      { secretId: secret.id, secretString: pulumi.secret(`whsec_${randomBytes(32).toString("base64")}`) },
      { parent: this, ignoreChanges: ["secretString"] },
    );
    this.arn = secret.arn;
    this.registerOutputs({ arn: this.arn });
  }
}
