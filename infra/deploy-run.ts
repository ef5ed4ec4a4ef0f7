/**
 * The deploy-time invocation of a `deploy` function (the migrator): once per `pulumi up`, through its `live`
 * alias, with the RDS master credentials in the payload. They are read at deploy time from the secret RDS manages
 * and marked secret (encrypted in the state, masked in the diff): the migrator is the only master-user client and
 * never reads Secrets Manager itself, so no function needs a Secrets Manager endpoint or grant for the database.
 */
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { LambdaFunction } from "./components/LambdaFunction.ts";

export interface DeployRunArgs {
  readonly lambda: LambdaFunction;
  /** The RDS-managed master secret: JSON `{username, password}`. */
  readonly masterSecretArn: pulumi.Input<string>;
  /** What re-runs it, shown in the diff: the run's time, the bundle's digest, the database. */
  readonly triggers: Record<string, pulumi.Input<string>>;
}

/** The payload the migrator receives, credentials as RDS keeps them (apps/migrator/handler.ts reads it). */
export const deployPayload = (secretString: string): string => {
  const { username, password } = JSON.parse(secretString) as { username?: unknown; password?: unknown };
  if (typeof username !== "string" || typeof password !== "string") {
    throw new Error("the RDS master secret holds no username/password");
  }
  return JSON.stringify({ source: "rendezvous.deploy", masterCredentials: { username, password } });
};

export const deployRun = (name: string, args: DeployRunArgs): aws.lambda.Invocation => {
  const master = aws.secretsmanager.getSecretVersionOutput({ secretId: args.masterSecretArn }, { parent: args.lambda });
  return new aws.lambda.Invocation(
    name,
    {
      functionName: args.lambda.name,
      qualifier: args.lambda.alias.name,
      input: pulumi.secret(master.secretString.apply(deployPayload)),
      triggers: args.triggers,
    },
    { parent: args.lambda },
  );
};
