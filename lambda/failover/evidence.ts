/**
 * X2: a partition is not an outage. "This Region cannot read the primary's control plane" is what an
 * outage AND a partition look like from the secondary, so on its own it never justifies a data-losing
 * failover. The independent evidence is Route 53's: health checkers in several Regions probe the primary
 * from outside the secondary's network path. Route 53 deems an endpoint healthy when more than 18% of its
 * checkers do; the rule here also wants failures seen from at least two checker Regions.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 * GetHealthCheckStatus returns one observation per checker with its Region; AWS says it is not for high
 * query rates, and it is called once per failover decision.
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html
 */
import type { GetHealthCheckStatusCommandOutput } from "@aws-sdk/client-route-53";

export interface CheckerObservation {
  /** The checker's Region. */
  readonly region: string;
  readonly healthy: boolean;
}

/** Route 53's own rule: healthy when more than this share of checkers report healthy. */
export const ROUTE53_HEALTHY_SHARE = 0.18;
/** The one GetHealthCheckStatus read a decision makes is capped at this (index.ts; the DR budget counts it). */
export const EVIDENCE_READ_TIMEOUT_MS = 5_000;
/** Distinct checker Regions that must see the primary fail: one vantage point is never enough. */
export const MIN_FAILING_CHECKER_REGIONS = 2;

/** outage true/false: what the checkers say; undefined: no usable evidence (too few Regions, unreadable). */
export interface Verdict {
  readonly outage: boolean | undefined;
  readonly why: string;
}

export function checkersFromStatus(out: Pick<GetHealthCheckStatusCommandOutput, "HealthCheckObservations">) {
  return (out.HealthCheckObservations ?? []).map((o): CheckerObservation => ({
    region: o.Region ?? "unknown",
    // A report reads "Success: HTTP Status Code 200, OK" or "Failure: ...".
    healthy: (o.StatusReport?.Status ?? "").startsWith("Success"),
  }));
}

export function judgeCheckers(observations: readonly CheckerObservation[]): Verdict {
  if (observations.length === 0) return { outage: undefined, why: "no Route 53 checker reported" };
  const healthy = observations.filter((o) => o.healthy).length;
  const failingRegions = new Set(observations.filter((o) => !o.healthy).map((o) => o.region));
  const share = healthy / observations.length;
  const tally = `${healthy}/${observations.length} Route 53 checkers report healthy; failing from ${
    [...failingRegions].sort().join(", ") || "no Region"
  }`;
  if (share > ROUTE53_HEALTHY_SHARE)
    return { outage: false, why: `${tally}: the primary is up for Route 53` };
  if (failingRegions.size < MIN_FAILING_CHECKER_REGIONS)
    return { outage: undefined, why: `${tally}: fewer than ${MIN_FAILING_CHECKER_REGIONS} Regions` };
  return { outage: true, why: tally };
}
