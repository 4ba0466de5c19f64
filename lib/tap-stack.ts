import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TapConfig } from "./config";
import { AlertRelay } from "./foundation/alert-relay";
import { RegionalFoundation } from "./foundation/regional-foundation";
import { createProviders, Providers } from "./providers";

export interface TapStackArgs {
  /** Validated stack configuration (lib/config.ts). */
  readonly config: TapConfig;
}

/**
 * The whole multi-region platform. Components are built in dependency order and wired with explicit
 * `dependsOn` (R1–R3), so the order is visible here and not left to inference from Outputs.
 */
export class TapStack extends pulumi.ComponentResource {
  public readonly providers: Providers;
  public readonly primary: RegionalFoundation;
  public readonly secondary: RegionalFoundation;
  /** The us-east-1 foundation for Route 53 health-check alarms; one of the two above when they are there. */
  public readonly metrics: RegionalFoundation;
  public readonly outputs: Record<string, pulumi.Input<unknown>>;

  constructor(name: string, args: TapStackArgs, opts?: pulumi.ComponentResourceOptions) {
    super("tap:index:TapStack", name, {}, opts);
    const cfg = args.config;
    const p = (this.providers = createProviders(name, cfg, this));
    const accountId = aws
      .getCallerIdentityOutput({}, { parent: this, provider: p.primary.provider })
      .apply((id) => id.accountId);

    const foundation = (
      role: string,
      provider: aws.Provider,
      region: typeof cfg.primaryRegion,
      vpcCidr?: string,
    ) =>
      new RegionalFoundation(
        `${name}-${role}`,
        {
          region,
          provider,
          accountId,
          vpcCidr,
          logRetentionDays: cfg.logRetentionDays,
          alertEmail: cfg.alertEmail,
          production: cfg.production,
        },
        { parent: this },
      );
    this.primary = foundation("primary", p.primary.provider, cfg.primaryRegion, cfg.primaryVpcCidr);
    this.secondary = foundation("secondary", p.secondary.provider, cfg.secondaryRegion, cfg.secondaryVpcCidr);
    this.metrics =
      p.metrics === p.primary.provider
        ? this.primary
        : p.metrics === p.secondary.provider
          ? this.secondary
          : foundation("metrics", p.metrics, p.metricsRegion);

    // Everything published outside the secondary region is relayed there, so it survives a primary outage.
    const relaySources = [this.primary, this.metrics]
      .filter((f, i, all) => f !== this.secondary && all.indexOf(f) === i)
      .map((f) => ({ topicArn: f.topic.arn, provider: f === this.primary ? p.primary.provider : p.metrics }));
    new AlertRelay(
      `${name}-alert-relay`,
      {
        sources: relaySources,
        targetTopicArn: this.secondary.topic.arn,
        provider: p.secondary.provider,
        kmsKeyArn: this.secondary.key.arn,
        logRetentionDays: cfg.logRetentionDays,
      },
      { parent: this, dependsOn: [this.primary.topic, this.secondary.topic] },
    );

    this.outputs = {
      primaryRegion: cfg.primaryRegion,
      secondaryRegion: cfg.secondaryRegion,
      primaryVpcId: this.primary.vpc.vpcId,
      secondaryVpcId: this.secondary.vpc.vpcId,
      primaryKmsKeyArn: this.primary.key.arn,
      secondaryKmsKeyArn: this.secondary.key.arn,
      primarySnsTopicArn: this.primary.topic.arn,
      secondarySnsTopicArn: this.secondary.topic.arn,
      metricsSnsTopicArn: this.metrics.topic.arn,
    };
    this.registerOutputs(this.outputs);
  }
}
