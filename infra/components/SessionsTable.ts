import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SESSIONS_TABLE } from "../../apps/manifest.ts";
import type { DynamoCapacity } from "../config.ts";

export interface SessionsTableArgs {
  /** On-demand (staging) or provisioned with auto scaling on the table and its index (production). @default "on-demand" */
  readonly billing?: "on-demand" | "provisioned";
  /** Bounds and target of the auto scaling, when provisioned. */
  readonly capacity: DynamoCapacity;
  /** @default true */
  readonly pointInTimeRecovery?: boolean;
  /** Deletion protection and `retainOnDelete`. @default true */
  readonly protect?: boolean;
}

/**
 * The sessions table with its user index and TTL, as apps/manifest.ts (SESSIONS_TABLE) names them. The sort key
 * `created_at` is an ISO-8601 string, which sorts by time.
 */
export class SessionsTable extends pulumi.ComponentResource {
  readonly name: pulumi.Output<string>;
  readonly arn: pulumi.Output<string>;
  readonly indexArn: pulumi.Output<string>;

  constructor(name: string, args: SessionsTableArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:SessionsTable", name, {}, opts);
    const provisioned = args.billing === "provisioned";
    const protect = args.protect ?? true;
    const { userIndex } = SESSIONS_TABLE;
    const capacity = provisioned ? { readCapacity: args.capacity.minRead, writeCapacity: args.capacity.minWrite } : {};

    const table = new aws.dynamodb.Table(
      name,
      {
        billingMode: provisioned ? "PROVISIONED" : "PAY_PER_REQUEST",
        ...capacity,
        hashKey: SESSIONS_TABLE.partitionKey,
        attributes: [
          { name: SESSIONS_TABLE.partitionKey, type: "S" },
          { name: userIndex.partitionKey, type: "S" },
          { name: userIndex.sortKey, type: "S" },
        ],
        globalSecondaryIndexes: [
          {
            name: userIndex.name,
            hashKey: userIndex.partitionKey,
            rangeKey: userIndex.sortKey,
            projectionType: "ALL",
            ...capacity,
          },
        ],
        ttl: { attributeName: SESSIONS_TABLE.ttlAttribute, enabled: true },
        pointInTimeRecovery: { enabled: args.pointInTimeRecovery ?? true },
        deletionProtectionEnabled: protect,
        serverSideEncryption: { enabled: true },
      },
      // Auto scaling owns the capacity once the table exists.
      {
        parent: this,
        retainOnDelete: protect,
        ...(provisioned
          ? {
              ignoreChanges: [
                "readCapacity",
                "writeCapacity",
                "globalSecondaryIndexes[0].readCapacity",
                "globalSecondaryIndexes[0].writeCapacity",
              ],
            }
          : {}),
      },
    );

    if (provisioned) {
      const scaled = [
        { suffix: "table", resourceId: pulumi.interpolate`table/${table.name}`, dimension: "table" },
        {
          suffix: "index",
          resourceId: pulumi.interpolate`table/${table.name}/index/${userIndex.name}`,
          dimension: "index",
        },
      ];
      for (const { suffix, resourceId, dimension } of scaled) {
        for (const [kind, min, max, metric] of [
          ["Read", args.capacity.minRead, args.capacity.maxRead, "DynamoDBReadCapacityUtilization"],
          ["Write", args.capacity.minWrite, args.capacity.maxWrite, "DynamoDBWriteCapacityUtilization"],
        ] as const) {
          const target = new aws.appautoscaling.Target(
            `${name}-${suffix}-${kind.toLowerCase()}`,
            {
              serviceNamespace: "dynamodb",
              resourceId,
              scalableDimension: `dynamodb:${dimension}:${kind}CapacityUnits`,
              minCapacity: min,
              maxCapacity: max,
            },
            { parent: this },
          );
          new aws.appautoscaling.Policy(
            `${name}-${suffix}-${kind.toLowerCase()}`,
            {
              policyType: "TargetTrackingScaling",
              serviceNamespace: target.serviceNamespace,
              resourceId: target.resourceId,
              scalableDimension: target.scalableDimension,
              targetTrackingScalingPolicyConfiguration: {
                targetValue: args.capacity.targetUtilization,
                predefinedMetricSpecification: { predefinedMetricType: metric },
              },
            },
            { parent: this },
          );
        }
      }
    }

    this.name = table.name;
    this.arn = table.arn;
    this.indexArn = pulumi.interpolate`${table.arn}/index/${userIndex.name}`;
    this.registerOutputs({ name: this.name, arn: this.arn });
  }
}
