/**
 * X4: failback is the same operation as failover, aimed the other way. A request may name the Region
 * whose cluster should become the writer; the orchestrator then promotes that cluster and makes the
 * platform follow it exactly as it does for the secondary (after-promotion.ts works from the writer's
 * Region, whichever it is).
 *
 * Production deploys the orchestrator in the secondary Region only (a Region that is down cannot run
 * it). A failback is normally a planned switchover, which AWS takes in the CURRENT writer's Region
 * (after a failover, the secondary: where the function runs) and which needs both Regions healthy; so the
 * same function, aimed at the primary, runs it with its local RDS endpoint and reaches the primary's only
 * for the health read. A data-losing failover aimed at the primary goes to the primary's RDS endpoint
 * (the target's Region), reachable from the secondary or from the drill on a workstation.
 * https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-global-database-disaster-recovery.html
 */
import { clusterArnRegion, type OrchestratorSettings } from "./config";
import type { FailoverRequest } from "./events";

export type Aim = { readonly targetClusterArn: string } | { readonly refused: string };

/** The cluster `request` promotes: the configured target unless it names the failback cluster's Region. */
export function aim(
  request: Pick<FailoverRequest, "targetRegion">,
  settings: Pick<OrchestratorSettings, "targetClusterArn" | "failbackClusterArn">,
): Aim {
  const wanted = request.targetRegion;
  const candidates = [settings.targetClusterArn, settings.failbackClusterArn].filter(
    (arn): arn is string => arn !== undefined,
  );
  if (wanted === undefined) return { targetClusterArn: settings.targetClusterArn };
  const match = candidates.find((arn) => clusterArnRegion(arn) === wanted);
  if (match) return { targetClusterArn: match };
  return {
    refused: `targetRegion ${wanted} has no cluster this orchestrator may promote (it knows ${
      candidates.map((arn) => clusterArnRegion(arn)).join(", ") || "none"
    }); nothing was requested.`,
  };
}

/** Which role (`tap:processingRegion`) the writer's Region has: what a pinned value must become before `pulumi up`. */
export function processingRole(
  writerRegion: string,
  settings: Pick<OrchestratorSettings, "targetClusterArn" | "failbackClusterArn">,
): "primary" | "secondary" | undefined {
  if (settings.failbackClusterArn && clusterArnRegion(settings.failbackClusterArn) === writerRegion)
    return "primary";
  if (clusterArnRegion(settings.targetClusterArn) === writerRegion) return "secondary";
  return undefined;
}
