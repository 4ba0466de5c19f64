/**
 * The failover orchestrator's environment contract: written by lib/failover/failover-orchestrator.ts,
 * read by lambda/failover/config.ts. Pure data, no SDK imports, so the infrastructure can import it.
 */
export const FAILOVER_ENV = {
  globalClusterId: "GLOBAL_CLUSTER_ID",
  targetClusterArn: "TARGET_CLUSTER_ARN",
  /**
   * The original primary's cluster (X4): the target of a request aimed at its Region, i.e. a failback.
   * Optional; without it only TARGET_CLUSTER_ARN can be promoted.
   */
  failbackClusterArn: "FAILBACK_CLUSTER_ARN",
  alertTopicArn: "ALERT_TOPIC_ARN",
  /** Route 53 health check of the primary's API: the independent evidence of an outage (X2, evidence.ts). */
  primaryHealthCheckId: "PRIMARY_HEALTH_CHECK_ID",
  alarmAction: "ALARM_ACTION",
  timeBudgetMs: "TIME_BUDGET_MS",
  maxAttempts: "MAX_ATTEMPTS",
  pollIntervalMs: "POLL_INTERVAL_MS",
  /** Cap on each SNS publish; also reserved at the end of the budget for the final report. */
  notifyTimeoutMs: "NOTIFY_TIMEOUT_MS",
  /** Comma-separated CloudWatch alarm names allowed to start a run (F3). */
  allowedAlarms: "ALLOWED_ALARMS",
  /** JSON array of ProcessingSite: which queue/mapping/DLQ each region has (F2). */
  processingSites: "PROCESSING_SITES",
  /** Name of the reconcile function in the target region (optional; F2). */
  reconcileFunction: "RECONCILE_FUNCTION_NAME",
} as const;

/** One region's order intake as the orchestrator sees it: what to enable, disable and redrive. */
export interface ProcessingSite {
  readonly region: string;
  /** UUID of the SQS event source mapping of the region's order processor. */
  readonly mappingUuid: string;
  /** UUID of the mapping of the region's order forwarder: enabled exactly where the processor's is not. */
  readonly forwarderMappingUuid: string;
  readonly queueArn: string;
  readonly dlqArn: string;
}

/** Serialises sites for the environment; the Lambda parses it back with parseProcessingSites. */
export function formatProcessingSites(sites: readonly ProcessingSite[]): string {
  return JSON.stringify(sites);
}
