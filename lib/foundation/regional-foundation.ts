import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Region, TapConfig } from "../config";
import { AlertTopic } from "./alert-topic";
import { defaultAzCount, Network } from "./network";
import { RegionalKey } from "./regional-key";

export interface RegionalFoundationArgs {
  readonly region: Region;
  /** Provider for `region`. */
  readonly provider: aws.Provider;
  readonly accountId: pulumi.Input<string>;
  /** VPC CIDR. Default: no network (the us-east-1 metrics region needs only a key and a topic). */
  readonly vpcCidr?: string;
  /** Log retention; the operator address to subscribe (default: none); production: longer key deletion
   *  window and `protect` on the key. */
  readonly settings: Pick<TapConfig, "logRetentionDays" | "alertEmail" | "production">;
  /** Whether this region runs the order path: its key's policy is then completed with the roles that may
   *  use it through SQS (RegionalKey `sqsUsersSetLater`, S4). Default: false. */
  readonly runsOrderPath?: boolean;
}

/** What every region of the stack starts from: a KMS key, an alert topic and, optionally, a network. */
export class RegionalFoundation extends pulumi.ComponentResource {
  public readonly region: Region;
  /** The account every resource of the stack lives in. */
  public readonly accountId: pulumi.Input<string>;
  /** The provider every resource of this region uses. */
  public readonly provider: aws.Provider;
  public readonly key: RegionalKey;
  public readonly topic: AlertTopic;
  public readonly network?: Network;

  constructor(name: string, args: RegionalFoundationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:foundation:RegionalFoundation", name, {}, opts);
    const { provider, region, accountId } = args;
    this.region = region;
    this.accountId = accountId;
    this.provider = provider;
    this.key = new RegionalKey(
      `${name}-kms`,
      {
        region,
        accountId,
        provider,
        deletionWindowInDays: args.settings.production ? 30 : 7,
        protect: args.settings.production ?? false,
        sqsUsersSetLater: args.runsOrderPath ?? false,
      },
      { parent: this },
    );
    this.topic = new AlertTopic(
      `${name}-alerts`,
      { provider, kmsKeyArn: this.key.arn, accountId, alertEmail: args.settings.alertEmail },
      { parent: this },
    );
    if (args.vpcCidr) {
      this.network = new Network(
        `${name}-net`,
        {
          region,
          provider,
          cidrBlock: args.vpcCidr,
          azCount: defaultAzCount(region),
          logKeyArn: this.key.arn,
          logRetentionDays: args.settings.logRetentionDays,
          accountId,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ keyArn: this.key.arn, topicArn: this.topic.arn });
  }

  /** The network, which regions that run workloads always have. */
  get vpc(): Network {
    if (!this.network) throw new Error(`${this.region} foundation has no network`);
    return this.network;
  }
}
