import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { toEnvironment } from "../../lambda/shared/env";
import { READER_LEASE_ENV } from "../../lambda/shared/writer-lease";
import { NodeFunction } from "../compute/node-function";
import { Region } from "../config";
import { AlarmInfo } from "../monitoring/alarm";
import { Statement } from "../policy-documents";

/** The lease reader's timeout, s: its two short witness attempts (lambda/lease-reader) and a cold start;
 *  the processor gives up on the invoke before this anyway (lambda/order-processor/lease-source.ts). */
export const LEASE_READER_TIMEOUT = 10;

/** The witness as the reader needs it (lib/data/writer-witness.ts). */
export interface WitnessForReader {
  readonly tableName: pulumi.Input<string>;
  readonly region: Region;
  readonly readStatements: Statement[];
}

export interface LeaseReaderArgs {
  readonly provider: aws.Provider;
  /** The order Region it serves (its processor's). */
  readonly region: Region;
  readonly witness: WitnessForReader;
  readonly logKeyArn: pulumi.Input<string>;
  readonly logRetentionDays: number;
  /** This Region's alarm topic: a failing reader stops the Region's booking, so its errors alarm. */
  readonly alarmTopicArn: pulumi.Input<string>;
}

/**
 * X3: the order processor's way to the writer lease. The processor runs in a VPC with no NAT, whose
 * DynamoDB gateway endpoint reaches only the VPC's own Region, and DynamoDB is not among the services
 * with cross-Region PrivateLink, so no interface endpoint can reach a witness table in a third Region
 * either (https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-cross-region-privatelink-support.html:
 * S3, IAM, ECR, KMS, ECS, Lambda, Firehose, Managed Flink, Route 53). This function is NOT in a VPC, so it
 * reaches the witness Region's public endpoint; the processor invokes it synchronously through the
 * Lambda interface endpoint its VPC already has (lib/foundation/network.ts).
 * Rejected: a NAT gateway per AZ per Region (a new path to the whole internet, and cost, for one GetItem
 * every 10 s); inter-Region VPC peering plus a VPC and a DynamoDB interface endpoint in the witness
 * Region (a third network to run, peering routes and DNS for one read). Code: lambda/lease-reader.
 */
export class LeaseReader extends pulumi.ComponentResource {
  public readonly functionName: pulumi.Output<string>;
  public readonly functionArn: pulumi.Output<string>;
  public readonly alarms: AlarmInfo[];

  constructor(name: string, args: LeaseReaderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:orders:LeaseReader", name, {}, opts);
    const fn = new NodeFunction(
      `${name}-fn`,
      {
        codeName: "lease-reader",
        description: `Reads the writer lease in ${args.witness.region} for the order processor (X3)`,
        provider: args.provider,
        region: args.region,
        timeout: LEASE_READER_TIMEOUT,
        memorySize: 128,
        environment: toEnvironment(READER_LEASE_ENV, {
          table: args.witness.tableName,
          region: args.witness.region,
        }),
        statements: args.witness.readStatements,
        logKeyArn: args.logKeyArn,
        logRetentionDays: args.logRetentionDays,
        errorAlarmTopicArn: args.alarmTopicArn,
      },
      { parent: this },
    );
    this.functionName = fn.functionName;
    this.functionArn = fn.arn;
    this.alarms = fn.alarms;
    this.registerOutputs({ functionName: this.functionName, functionArn: this.functionArn });
  }
}
