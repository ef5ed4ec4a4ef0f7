import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface DatabaseArgs {
  readonly subnetIds: pulumi.Input<string>[];
  /** The database's security group (infra/components/SecurityGroups.ts: 5432 from the function groups only). */
  readonly securityGroupId: pulumi.Input<string>;
  /** @default "db.t4g.micro" */
  readonly instanceClass?: string;
  /** @default 20 */
  readonly allocatedStorageGb?: number;
  /** @default false */
  readonly multiAz?: boolean;
  /** @default 7 */
  readonly backupRetentionDays?: number;
  /** Deletion protection, a final snapshot and `retainOnDelete`: production keeps its data. @default true */
  readonly protect?: boolean;
  /** @default "rendezvous" */
  readonly databaseName?: string;
}

/**
 * The server certificate's CA, named rather than left to RDS's default of the day, so the CA bundle functions
 * verify TLS against stays the one they ship.
 */
export const DATABASE_CA = "rds-ca-rsa2048-g1";

/**
 * RDS PostgreSQL 17: private, encrypted at rest, TLS enforced (`rds.force_ssl`), reachable only through its
 * security group. No password exists in config, environment or state: RDS keeps the master credentials in a
 * Secrets Manager secret it manages, and runtime functions sign in with RDS IAM authentication (a token per new
 * connection, one database role per capability; docs/decisions/0007).
 */
export class Database extends pulumi.ComponentResource {
  readonly address: pulumi.Output<string>;
  readonly port: pulumi.Output<number>;
  readonly databaseName: string;
  /** The RDS-managed master secret (JSON {username, password}). */
  readonly secretArn: pulumi.Output<string>;
  readonly instanceIdentifier: pulumi.Output<string>;
  /** The `db-...` id IAM database authentication names in `rds-db:connect` ARNs. */
  readonly resourceId: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super("rendezvous:infra:Database", name, {}, opts);
    const parent = { parent: this };
    const protect = args.protect ?? true;
    this.databaseName = args.databaseName ?? "rendezvous";

    const subnets = new aws.rds.SubnetGroup(name, { subnetIds: args.subnetIds }, parent);
    const parameters = new aws.rds.ParameterGroup(
      name,
      {
        family: "postgres17",
        description: "Rendezvous: TLS required",
        parameters: [{ name: "rds.force_ssl", value: "1" }],
      },
      parent,
    );
    const instance = new aws.rds.Instance(
      name,
      {
        engine: "postgres",
        engineVersion: "17",
        instanceClass: args.instanceClass ?? "db.t4g.micro",
        allocatedStorage: args.allocatedStorageGb ?? 20,
        storageType: "gp3",
        storageEncrypted: true,
        dbName: this.databaseName,
        username: "rendezvous",
        manageMasterUserPassword: true,
        dbSubnetGroupName: subnets.name,
        parameterGroupName: parameters.name,
        vpcSecurityGroupIds: [args.securityGroupId],
        iamDatabaseAuthenticationEnabled: true,
        caCertIdentifier: DATABASE_CA,
        publiclyAccessible: false,
        multiAz: args.multiAz ?? false,
        backupRetentionPeriod: args.backupRetentionDays ?? 7,
        deletionProtection: protect,
        skipFinalSnapshot: !protect,
        ...(protect ? { finalSnapshotIdentifier: `${name}-final` } : {}),
        copyTagsToSnapshot: true,
        autoMinorVersionUpgrade: true,
        applyImmediately: !protect,
      },
      { parent: this, retainOnDelete: protect },
    );

    this.address = instance.address;
    this.port = instance.port;
    this.instanceIdentifier = instance.identifier;
    this.resourceId = instance.resourceId;
    this.secretArn = instance.masterUserSecrets.apply((secrets) => {
      const arn = secrets[0]?.secretArn;
      if (!arn && !pulumi.runtime.isDryRun()) throw new Error(`${name}: RDS did not report its managed master secret`);
      return arn ?? "";
    });
    this.registerOutputs({ address: this.address, port: this.port, secretArn: this.secretArn });
  }
}
