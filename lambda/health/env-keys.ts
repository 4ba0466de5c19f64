/**
 * The health function's environment contract: written by lib/orders/order-api.ts, read by index.ts.
 *
 * Route 53 marks an HTTP(S) check failed unless the endpoint answers within two seconds of the
 * connection being established (four seconds to connect):
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 * The checks run in parallel, each capped by the per-check budget; one second of budget leaves about a
 * second for API Gateway and a cold start of the VPC function inside those two seconds.
 */
export const HEALTH_ENV = {
  queueUrl: "QUEUE_URL",
  tableName: "ORDERS_TABLE_NAME",
  /** The same database host and port the order processor writes to (the global writer endpoint). */
  dbHost: "DB_HOST",
  dbPort: "DB_PORT",
  checkTimeoutMs: "CHECK_TIMEOUT_MS",
  /** UUID of this region's order-processor event source mapping: enabled = writer, disabled = standby. */
  mappingUuid: "EVENT_SOURCE_MAPPING_UUID",
} as const;

export const CHECK_TIMEOUT_MS = { default: 1_000, min: 50, max: 1_500 } as const;
