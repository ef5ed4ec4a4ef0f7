import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface WebhookUrlParameterArgs {
  /** The parameter is `/rendezvous/<stage>/webhook-url`. */
  readonly stage: string;
  /** Stack config `webhookUrl`. */
  readonly value: pulumi.Input<string>;
}

/**
 * Where deliveries are posted, as an SSM parameter (Standard tier, a plain String: a URL is no secret). The
 * dispatcher reads it at run time with a short cache (apps/runtime/webhook-url.ts), so `pulumi config set
 * rendezvous:webhookUrl ...` and `pulumi up` change only this parameter, never a function.
 */
export class WebhookUrlParameter extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;

  constructor(name: string, args: WebhookUrlParameterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:WebhookUrlParameter", name, {}, opts);
    const parameter = new aws.ssm.Parameter(
      name,
      {
        name: `/rendezvous/${args.stage}/webhook-url`,
        description: "Where the dispatcher posts webhook deliveries (stack config rendezvous:webhookUrl)",
        type: "String",
        tier: "Standard",
        // Not `value`, which Pulumi treats as secret: a URL shows in the diff, so a change is reviewable.
        insecureValue: args.value,
      },
      { parent: this },
    );
    this.name = parameter.name;
    this.arn = parameter.arn;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
