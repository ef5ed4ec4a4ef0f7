/**
 * The list prices the cost estimator (infra/cost/estimate.ts) uses, per region, in USD, without the free tier.
 *
 * AWS's published on-demand list prices (Linux/PostgreSQL, no reservations) as the team knew them on 2026-12-02,
 * written down from memory of the pricing pages (rds/postgresql, vpc, privatelink, cloudwatch, secrets-manager,
 * sqs, lambda, dynamodb, eventbridge Scheduler, kms, systems-manager, sns): this machine cannot reach those pages,
 * so they were NOT re-read when entered. They reproduce the estimates of issue 14; check them against the pages
 * before relying on a figure, then update the figures and PRICES_TAKEN together.
 */
export const PRICES_TAKEN = "2026-12-02";

/** Hours in the month AWS bills by (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;

export interface RegionPrices {
  /** PostgreSQL instance-hour per class, single-AZ and Multi-AZ (a standby doubles it). */
  readonly rdsInstanceHour: Readonly<Record<string, { readonly singleAz: number; readonly multiAz: number }>>;
  /** Per GB-month of allocated storage. */
  readonly rdsStorageGbMonth: Readonly<Record<"gp3" | "gp2", { readonly singleAz: number; readonly multiAz: number }>>;
  readonly natGatewayHour: number;
  /** Every public IPv4 address, attached or not (the NAT gateway's Elastic IP). */
  readonly publicIpv4Hour: number;
  /** An interface VPC endpoint, per AZ (subnet) it is in. Gateway endpoints (S3, DynamoDB) are free. */
  readonly interfaceEndpointAzHour: number;
  /** A standard-resolution alarm, per metric it evaluates. */
  readonly alarmMetricMonth: number;
  readonly dashboardMonth: number;
  /**
   * A custom metric (one name + dimension-value combination), per month, first 10,000 metrics; billed per hour in
   * which it receives data (prorated by the hour).
   */
  readonly customMetricMonth: number;
  readonly secretMonth: number;
  readonly kmsKeyMonth: number;
  readonly sqsPerMillionRequests: number;
  readonly lambdaPerMillionRequests: number;
  /** arm64. */
  readonly lambdaGbSecond: number;
  readonly dynamoOnDemandPerMillionWrites: number;
  readonly dynamoOnDemandPerMillionReads: number;
  readonly dynamoWcuHour: number;
  readonly dynamoRcuHour: number;
  readonly schedulerPerMillionInvocations: number;
  /** SSM Parameter Store standard parameter: free to store, free at standard throughput. */
  readonly ssmStandardParameterMonth: number;
}

export type Region = "us-east-1" | "eu-west-1";

export const PRICES: Readonly<Record<Region, RegionPrices>> = {
  "us-east-1": {
    rdsInstanceHour: {
      "db.t4g.micro": { singleAz: 0.016, multiAz: 0.032 },
      "db.t4g.small": { singleAz: 0.032, multiAz: 0.064 },
      "db.t4g.medium": { singleAz: 0.065, multiAz: 0.13 },
      "db.t4g.large": { singleAz: 0.129, multiAz: 0.258 },
    },
    rdsStorageGbMonth: { gp3: { singleAz: 0.115, multiAz: 0.23 }, gp2: { singleAz: 0.115, multiAz: 0.23 } },
    natGatewayHour: 0.045,
    publicIpv4Hour: 0.005,
    interfaceEndpointAzHour: 0.01,
    alarmMetricMonth: 0.1,
    dashboardMonth: 3,
    customMetricMonth: 0.3,
    secretMonth: 0.4,
    kmsKeyMonth: 1,
    sqsPerMillionRequests: 0.4,
    lambdaPerMillionRequests: 0.2,
    lambdaGbSecond: 0.0000133334,
    dynamoOnDemandPerMillionWrites: 0.625,
    dynamoOnDemandPerMillionReads: 0.125,
    dynamoWcuHour: 0.00065,
    dynamoRcuHour: 0.00013,
    schedulerPerMillionInvocations: 1,
    ssmStandardParameterMonth: 0,
  },
  "eu-west-1": {
    rdsInstanceHour: {
      "db.t4g.micro": { singleAz: 0.018, multiAz: 0.036 },
      "db.t4g.small": { singleAz: 0.036, multiAz: 0.072 },
      "db.t4g.medium": { singleAz: 0.072, multiAz: 0.144 },
      "db.t4g.large": { singleAz: 0.145, multiAz: 0.29 },
    },
    rdsStorageGbMonth: { gp3: { singleAz: 0.127, multiAz: 0.254 }, gp2: { singleAz: 0.127, multiAz: 0.254 } },
    natGatewayHour: 0.048,
    publicIpv4Hour: 0.005,
    interfaceEndpointAzHour: 0.011,
    alarmMetricMonth: 0.1,
    dashboardMonth: 3,
    customMetricMonth: 0.3,
    secretMonth: 0.4,
    kmsKeyMonth: 1,
    sqsPerMillionRequests: 0.4,
    lambdaPerMillionRequests: 0.2,
    lambdaGbSecond: 0.0000133334,
    dynamoOnDemandPerMillionWrites: 0.7065,
    dynamoOnDemandPerMillionReads: 0.1413,
    dynamoWcuHour: 0.000735,
    dynamoRcuHour: 0.000147,
    schedulerPerMillionInvocations: 1,
    ssmStandardParameterMonth: 0,
  },
};

/**
 * Resource types that cost nothing by themselves, each with the reason. Anything billed per request (queues,
 * on-demand tables, functions) is priced per million in the estimate, not here. A type in neither this list nor
 * the estimator's priced types is an error: a new resource is priced before it ships.
 */
export const FREE_TYPES: Readonly<Record<string, string>> = {
  "pulumi:pulumi:Stack": "the stack itself, not an AWS resource",
  "aws:iam/role:Role": "IAM is free",
  "aws:iam/rolePolicy:RolePolicy": "IAM is free",
  "aws:cloudwatch/logGroup:LogGroup": "billed per GB ingested and stored (usage)",
  "aws:sns/topic:Topic": "billed per publish; alarm e-mails are within the free 1,000/month",
  "aws:sns/topicSubscription:TopicSubscription": "free",
  "aws:ec2/vpc:Vpc": "free",
  "aws:ec2/subnet:Subnet": "free",
  "aws:ec2/routeTable:RouteTable": "free",
  "aws:ec2/routeTableAssociation:RouteTableAssociation": "free",
  "aws:ec2/route:Route": "free (a NAT route's gateway is priced on its own line)",
  "aws:ec2/internetGateway:InternetGateway": "free (data out is usage)",
  "aws:ec2/securityGroup:SecurityGroup": "free",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "free",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "free",
  "aws:rds/subnetGroup:SubnetGroup": "free",
  "aws:rds/parameterGroup:ParameterGroup": "free",
  "aws:lambda/function:Function": "billed per request and GB-second (see per million)",
  "aws:lambda/functionUrl:FunctionUrl": "free (the function's invocations are billed)",
  "aws:lambda/permission:Permission": "free",
  "aws:lambda/alias:Alias": "free",
  "aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig": "free",
  "aws:lambda/invocation:Invocation": "one invocation per deploy",
  "aws:sqs/queue:Queue": "billed per request (usage; the dispatcher's polling is on its mapping's line)",
  "aws:sqs/redriveAllowPolicy:RedriveAllowPolicy": "free",
  "aws:secretsmanager/secretVersion:SecretVersion": "free (the secret is priced)",
  "aws:appautoscaling/target:Target": "free (the capacity it sets is priced on the table)",
  "aws:appautoscaling/policy:Policy": "free",
  "aws:ssm/parameter:Parameter": "standard tier: free to store and to read at standard throughput",
};
