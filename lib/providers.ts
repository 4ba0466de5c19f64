import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Region, TapConfig } from "./config";
import { standardTags } from "./tags";

/** CloudWatch metrics for Route 53 health checks exist only in us-east-1, so alarms on them live there.
 *  https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-check-status.html */
export const ROUTE53_METRICS_REGION: Region = "us-east-1";

/**
 * Whether us-east-1 is one of the stack's regions, and which: the one place this is decided. "metrics"
 * means neither is, and the stack adds a third, metrics-only foundation there.
 */
export type MetricsRole = "primary" | "secondary" | "metrics";
export function metricsRole(cfg: Pick<TapConfig, "primaryRegion" | "secondaryRegion">): MetricsRole {
  if (cfg.primaryRegion === ROUTE53_METRICS_REGION) return "primary";
  if (cfg.secondaryRegion === ROUTE53_METRICS_REGION) return "secondary";
  return "metrics";
}

export interface Providers {
  readonly primary: aws.Provider;
  readonly secondary: aws.Provider;
  /** us-east-1, where Route 53 health-check metrics are published. May be the primary or secondary provider. */
  readonly metrics: aws.Provider;
  readonly metricsRegion: Region;
  readonly metricsRole: MetricsRole;
  readonly random: random.Provider;
  /** X3: the writer lease's witness Region (a third one); absent when tap:writerLease is false. */
  readonly witness?: aws.Provider;
}

/**
 * Explicit providers for every region the stack touches (P3). Stack files also set
 * `pulumi:disable-default-providers: ["*"]`, so a resource that forgets its provider fails at preview
 * instead of landing in whatever region the operator's shell points at.
 */
export function createProviders(name: string, cfg: TapConfig, parent?: pulumi.Resource): Providers {
  const defaultTags = { tags: standardTags(cfg) };
  const make = (role: string, region: Region) =>
    new aws.Provider(`${name}-${role}`, { region, defaultTags }, { parent });
  const primary = make("primary", cfg.primaryRegion);
  const secondary = make("secondary", cfg.secondaryRegion);
  const role = metricsRole(cfg);
  const metrics = { primary, secondary, metrics: undefined }[role] ?? make("metrics", ROUTE53_METRICS_REGION);
  return {
    primary,
    secondary,
    metrics,
    metricsRegion: ROUTE53_METRICS_REGION,
    metricsRole: role,
    random: new random.Provider(`${name}-random`, {}, { parent }),
    witness: cfg.witnessRegion && make("witness", cfg.witnessRegion),
  };
}
