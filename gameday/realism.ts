/**
 * Where the game day's fakes are made no kinder than AWS (issue 22, Deliver 7), as shares of a scenario's
 * simulated post-fault window (Timing.afterFaultMs), which stands for about ten minutes of a real
 * incident. Each share states the AWS behaviour it scales.
 */
import type { Timing } from "./play";

/**
 * A promotion (SwitchoverGlobalCluster, FailoverGlobalCluster) takes about a minute of ten: the cluster
 * shows switching-over/failing-over while Aurora verifies, demotes and promotes, and the writer is
 * unavailable meanwhile ("your database is unavailable for a short time while the primary and selected
 * secondary clusters are assuming their new roles"). The API pages give no figure: a tenth of the
 * window is this project's estimate, not an AWS number.
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_SwitchoverGlobalCluster.html
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_FailoverState.html
 */
export const PROMOTION_SHARE = 0.1;

/**
 * UpdateEventSourceMapping answers at once with State Enabling/Disabling; the change takes effect later
 * (about half a minute of ten here), and a mapping that is Disabling may still deliver a batch.
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html
 */
export const MAPPING_TRANSITION_SHARE = 0.05;

/**
 * Clients follow Route 53's new answer only when their cached record expires: the record's TTL (60 s or
 * less is recommended with health checks) plus resolver, OS and runtime caches that do not all honour it.
 * They move over about two minutes of ten, each at its own time, not at once.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-values-failover.html
 * https://docs.aws.amazon.com/prescriptive-guidance/latest/dynamodb-global-tables/route-53-request-routing.html
 */
export const CLIENT_MOVE_SHARE = 0.2;

/**
 * DynamoDB global tables replicate item by item; ReplicationLatency is per Region pair, "fairly constant"
 * in normal operation and higher when a Region is degraded. Modelled: each item's delay drawn between a
 * typical value and four times it, so items overtake one another.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/V2globaltables_monitoring.html
 */
export const REPLICATION_DELAY_MS = { min: 100, max: 400 } as const;

export interface Realism {
  readonly promotionMs: number;
  readonly mappingTransitionMs: number;
  readonly clientMoveMs: number;
}

/** The shares above in a scenario's milliseconds. */
export function realismFor(timing: Timing): Realism {
  const window = timing.afterFaultMs;
  return {
    promotionMs: Math.round(window * PROMOTION_SHARE),
    mappingTransitionMs: Math.round(window * MAPPING_TRANSITION_SHARE),
    clientMoveMs: Math.round(window * CLIENT_MOVE_SHARE),
  };
}
