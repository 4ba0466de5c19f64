/**
 * Names of the failover function's environment variables that tie it to one stack. Written once here:
 * the component that sets them (lib/failover) and the live check that reads them back import this.
 */
export const FAILOVER_ENV = {
  globalClusterId: "GLOBAL_CLUSTER_ID",
  targetClusterArn: "TARGET_CLUSTER_ARN",
  alertTopicArn: "ALERT_TOPIC_ARN",
} as const;
