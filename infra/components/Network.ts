import * as aws from "@pulumi/aws";
import * as awsx from "@pulumi/awsx";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
  /** The two AZs the private subnets (and so the database's subnet group) live in, e.g. eu-west-1a, eu-west-1b. */
  readonly availabilityZones: readonly [string, string];
  /** @default "10.40.0.0/16" */
  readonly cidrBlock?: string;
  /**
   * One /20 per AZ, in the AZs' order. Explicit, because a changed layout replaces the subnets and with them the
   * database's subnet group. @default ["10.40.0.0/20", "10.40.16.0/20"]
   */
  readonly privateSubnetCidrs?: readonly [string, string];
  /** A DynamoDB gateway endpoint (free) for in-VPC functions that use the sessions table. @default false */
  readonly dynamodbEndpoint?: boolean;
}

/**
 * The VPC of the functions that need Postgres and of the database itself: private subnets in two AZs and nothing
 * else, no public subnet, no NAT gateway, no interface endpoint (docs/decisions/0007). From inside it a function
 * reaches the database and, through the gateway endpoint, DynamoDB; every other call is made from outside the VPC.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  /** One per AZ, in the AZs' order. */
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly privateSubnetArns: pulumi.Output<string>[];
  /** DynamoDB's managed prefix list, for security group egress; set when the endpoint is. */
  readonly dynamodbPrefixListId?: pulumi.Output<string>;
  /** The gateway endpoint: an in-VPC function that calls DynamoDB must not run before its routes exist. */
  readonly egress: pulumi.Resource[] = [];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:Network", name, {}, opts);
    const parent = { parent: this };
    const vpc = new awsx.ec2.Vpc(
      name,
      {
        cidrBlock: args.cidrBlock ?? "10.40.0.0/16",
        availabilityZoneNames: [...args.availabilityZones],
        subnetStrategy: "Auto",
        subnetSpecs: [
          {
            type: "Private",
            name: "private",
            cidrBlocks: [...(args.privateSubnetCidrs ?? ["10.40.0.0/20", "10.40.16.0/20"])],
          },
        ],
        natGateways: { strategy: "None" },
        enableDnsHostnames: true,
        enableDnsSupport: true,
      },
      parent,
    );
    const partition = aws.getPartitionOutput({}, parent).partition;
    const region = aws.getRegionOutput({}, parent).region;
    const account = aws.getCallerIdentityOutput({}, parent).accountId;
    this.vpcId = vpc.vpcId;
    this.privateSubnetIds = args.availabilityZones.map((az, i) =>
      vpc.privateSubnetIds.apply((ids) => {
        const id = ids[i];
        if (id === undefined) throw new Error(`${name}: awsx reported no private subnet in ${az}`);
        return id;
      }),
    );
    this.privateSubnetArns = this.privateSubnetIds.map(
      (id) => pulumi.interpolate`arn:${partition}:ec2:${region}:${account}:subnet/${id}`,
    );

    if (args.dynamodbEndpoint) {
      // The VPC's route tables are its private subnets' (it has no other subnets). Taken from awsx's outputs, not
      // looked up: a lookup could run before awsx has created them all.
      const routeTableIds = vpc.routeTables.apply((tables) => pulumi.all(tables.map((table) => table.id)));
      const endpoint = new aws.ec2.VpcEndpoint(
        `${name}-dynamodb`,
        {
          vpcId: vpc.vpcId,
          serviceName: pulumi.interpolate`com.amazonaws.${region}.dynamodb`,
          vpcEndpointType: "Gateway",
          routeTableIds,
        },
        parent,
      );
      this.dynamodbPrefixListId = endpoint.prefixListId;
      this.egress.push(endpoint);
    }
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
  }
}
