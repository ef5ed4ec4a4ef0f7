import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface NetworkArgs {
  /** @default "10.40.0.0/16" */
  readonly cidrBlock?: string;
  /** Interface endpoints the in-VPC functions call (e.g. "secretsmanager", "sqs"). @default [] */
  readonly interfaceEndpoints?: readonly string[];
  /** Gateway endpoints (free), e.g. "dynamodb". @default [] */
  readonly gatewayEndpoints?: readonly string[];
  /**
   * NAT gateways for in-VPC functions that must reach the internet (0 = no public subnets, no NAT at all); with 1,
   * both private subnets share the NAT of the first AZ. @default 0
   */
  readonly natGateways?: 0 | 1 | 2;
}

const AZ_COUNT = 2;

/**
 * A VPC with private subnets in two AZs for the functions that need Postgres, and the database itself. Nothing here
 * is reachable from the internet; egress is through VPC endpoints, and through NAT only when a function needs it.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  /** The functions' security group: the database admits only this group. */
  readonly functionSecurityGroupId: pulumi.Output<string>;
  readonly functionSecurityGroupArn: pulumi.Output<string>;
  readonly privateSubnetArns: pulumi.Output<string>[];
  /**
   * The endpoints and NAT routes: a function in the VPC that runs during the deploy (the migrator reads its secret
   * through the Secrets Manager endpoint) must not be invoked before they exist.
   */
  readonly egress: pulumi.Resource[] = [];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:Network", name, {}, opts);
    const parent = { parent: this };
    const cidr = args.cidrBlock ?? "10.40.0.0/16";
    const prefix = cidr.split(".").slice(0, 2).join(".");
    const natGateways = args.natGateways ?? 0;
    const azs = aws.getAvailabilityZonesOutput({ state: "available" }, parent).names;
    const vpc = new aws.ec2.Vpc(name, { cidrBlock: cidr, enableDnsHostnames: true, enableDnsSupport: true }, parent);

    const privateTables: aws.ec2.RouteTable[] = [];
    const privateSubnets: aws.ec2.Subnet[] = [];
    for (let i = 0; i < AZ_COUNT; i++) {
      const availabilityZone = azs.apply((names) => names[i] ?? `no-az-${i}`);
      privateSubnets.push(
        new aws.ec2.Subnet(
          `${name}-private-${i}`,
          { vpcId: vpc.id, cidrBlock: `${prefix}.${i * 16}.0/20`, availabilityZone, mapPublicIpOnLaunch: false },
          parent,
        ),
      );
      privateTables.push(new aws.ec2.RouteTable(`${name}-private-${i}`, { vpcId: vpc.id }, parent));
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: privateSubnets[i]?.id ?? "", routeTableId: privateTables[i]?.id ?? "" },
        parent,
      );
    }

    if (natGateways > 0) {
      const igw = new aws.ec2.InternetGateway(name, { vpcId: vpc.id }, parent);
      const publicTable = new aws.ec2.RouteTable(
        `${name}-public`,
        { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }] },
        parent,
      );
      const nats: aws.ec2.NatGateway[] = [];
      for (let i = 0; i < natGateways; i++) {
        const subnet = new aws.ec2.Subnet(
          `${name}-public-${i}`,
          {
            vpcId: vpc.id,
            cidrBlock: `${prefix}.${128 + i * 16}.0/20`,
            availabilityZone: azs.apply((names) => names[i] ?? `no-az-${i}`),
            mapPublicIpOnLaunch: false,
          },
          parent,
        );
        new aws.ec2.RouteTableAssociation(
          `${name}-public-${i}`,
          { subnetId: subnet.id, routeTableId: publicTable.id },
          parent,
        );
        const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc" }, parent);
        nats.push(
          new aws.ec2.NatGateway(
            `${name}-${i}`,
            { subnetId: subnet.id, allocationId: eip.id },
            { parent: this, dependsOn: [igw] },
          ),
        );
      }
      privateTables.forEach((table, i) => {
        const nat = nats[i] ?? nats[0];
        if (!nat) return;
        const route = new aws.ec2.Route(
          `${name}-private-${i}-nat`,
          { routeTableId: table.id, destinationCidrBlock: "0.0.0.0/0", natGatewayId: nat.id },
          parent,
        );
        this.egress.push(route);
      });
    }

    const functions = new aws.ec2.SecurityGroup(
      `${name}-functions`,
      {
        vpcId: vpc.id,
        description: "Lambda functions that need Postgres",
        egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "all egress" }],
      },
      parent,
    );
    const endpoints = new aws.ec2.SecurityGroup(
      `${name}-endpoints`,
      {
        vpcId: vpc.id,
        description: "Interface VPC endpoints, HTTPS from the functions only",
        ingress: [{ protocol: "tcp", fromPort: 443, toPort: 443, securityGroups: [functions.id] }],
      },
      parent,
    );
    const region = aws.getRegionOutput({}, parent).region;
    for (const service of args.interfaceEndpoints ?? []) {
      const endpoint = new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId: vpc.id,
          serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: privateSubnets.map((s) => s.id),
          securityGroupIds: [endpoints.id],
        },
        parent,
      );
      this.egress.push(endpoint);
    }
    for (const service of args.gatewayEndpoints ?? []) {
      const endpoint = new aws.ec2.VpcEndpoint(
        `${name}-${service}`,
        {
          vpcId: vpc.id,
          serviceName: pulumi.interpolate`com.amazonaws.${region}.${service}`,
          vpcEndpointType: "Gateway",
          routeTableIds: privateTables.map((t) => t.id),
        },
        parent,
      );
      this.egress.push(endpoint);
    }

    this.vpcId = vpc.id;
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.privateSubnetArns = privateSubnets.map((s) => s.arn);
    this.functionSecurityGroupId = functions.id;
    this.functionSecurityGroupArn = functions.arn;
    this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds });
  }
}
