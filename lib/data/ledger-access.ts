import * as pulumi from "@pulumi/pulumi";

/**
 * How one region reaches the ledger and its copy of the orders table: the order processor's path, which
 * the reconcile function shares (same VPC placement, data-only role, TLS names and table).
 */
export interface LedgerAccess {
  readonly subnetIds: pulumi.Input<string>[];
  /** The Lambda security group Aurora admits (R10, R12). */
  readonly securityGroupId: pulumi.Input<string>;
  /** This region's copy of the processor role's DB secret (the replica in the secondary). */
  readonly secretArn: pulumi.Input<string>;
  /** Key that encrypts the secret (and the region's queues and log groups). */
  readonly kmsKeyArn: pulumi.Input<string>;
  /** Writer endpoint that follows failovers: the global cluster endpoint. */
  readonly dbHost: pulumi.Input<string>;
  /** Names the server certificate may carry besides dbHost: both clusters' writer endpoints (L6). */
  readonly dbTlsServerNames: pulumi.Input<string>[];
  readonly dbPort: number;
  readonly dbName: string;
  readonly tableName: pulumi.Input<string>;
  /** This region's copy of the table (the replica in the secondary). */
  readonly tableArn: pulumi.Input<string>;
}
