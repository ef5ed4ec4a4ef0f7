import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { NetworkKind } from "../placement.ts";

export interface SecurityGroupsArgs {
  readonly vpcId: pulumi.Input<string>;
  /** The kinds of in-VPC function the stack has (infra/placement.ts); one group each. */
  readonly kinds: readonly NetworkKind[];
  /** DynamoDB's prefix list (the gateway endpoint's): required with the `postgres-dynamodb` kind. */
  readonly dynamodbPrefixListId?: pulumi.Input<string>;
  /** @default 5432 */
  readonly databasePort?: number;
}

export interface FunctionGroup {
  readonly id: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  /** Its rules and the database's rule admitting it: a function in the group runs only after them. */
  readonly rules: pulumi.Resource[];
}

/**
 * Who may talk to whom inside the VPC: one group per kind of function with exactly its egress (the database on
 * 5432; DynamoDB's prefix list on 443 for the kind that uses it), and the database's group admitting 5432 from
 * those groups only. Every rule is its own resource (groups reference each other, which inline rules cannot), so
 * the groups hold no inline rules and the provider revokes the all-egress rule EC2 adds to a new group. No group
 * reaches the internet: nothing in the VPC calls it (docs/decisions/0007).
 */
export class SecurityGroups extends pulumi.ComponentResource {
  readonly databaseGroupId: pulumi.Output<string>;
  readonly functionGroups: Partial<Record<NetworkKind, FunctionGroup>> = {};

  constructor(name: string, args: SecurityGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:SecurityGroups", name, {}, opts);
    const parent = { parent: this };
    const port = args.databasePort ?? 5432;
    // EC2 accepts only a-zA-Z0-9. _-:/()#,@[]+=&;{}!$* in group and rule descriptions: no apostrophes.
    const database = new aws.ec2.SecurityGroup(
      `${name}-db`,
      { vpcId: args.vpcId, description: "Rendezvous PostgreSQL: port 5432 from the function groups only" },
      parent,
    );
    this.databaseGroupId = database.id;
    for (const kind of args.kinds) {
      const group = new aws.ec2.SecurityGroup(
        `${name}-fn-${kind}`,
        {
          vpcId: args.vpcId,
          description:
            kind === "postgres"
              ? "Rendezvous functions that reach PostgreSQL only"
              : "Rendezvous functions that reach PostgreSQL and DynamoDB only",
        },
        parent,
      );
      const rules: pulumi.Resource[] = [
        new aws.vpc.SecurityGroupIngressRule(
          `${name}-db-from-${kind}`,
          {
            securityGroupId: database.id,
            referencedSecurityGroupId: group.id,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: `PostgreSQL from the ${kind} functions`,
          },
          parent,
        ),
        new aws.vpc.SecurityGroupEgressRule(
          `${name}-fn-${kind}-to-db`,
          {
            securityGroupId: group.id,
            referencedSecurityGroupId: database.id,
            ipProtocol: "tcp",
            fromPort: port,
            toPort: port,
            description: "PostgreSQL on the database group",
          },
          parent,
        ),
      ];
      if (kind === "postgres-dynamodb") {
        if (!args.dynamodbPrefixListId) throw new Error(`${name}: the ${kind} group needs DynamoDB's prefix list`);
        rules.push(
          new aws.vpc.SecurityGroupEgressRule(
            `${name}-fn-${kind}-to-dynamodb`,
            {
              securityGroupId: group.id,
              prefixListId: args.dynamodbPrefixListId,
              ipProtocol: "tcp",
              fromPort: 443,
              toPort: 443,
              description: "HTTPS to DynamoDB through the gateway endpoint",
            },
            parent,
          ),
        );
      }
      this.functionGroups[kind] = { id: group.id, arn: group.arn, rules };
    }
    this.registerOutputs({ databaseGroupId: this.databaseGroupId });
  }
}
