/**
 * What the program sets at creation and then leaves to AWS or an operator (M1, docs/ownership.md): the
 * components pass these to `ignoreChanges`. Apart from the components so the docs' tests read them
 * without loading Pulumi.
 */

/**
 * What a member cluster leaves to AWS once it exists (M1, docs/ownership.md). Roles swap at run time, and
 * an update must never promote, detach or re-point a member, or replace it:
 * - replicationSourceIdentifier: AWS sets it on a secondary and moves it when roles swap; the provider
 *   promotes a cluster whose value goes to "" (PromoteReadReplicaDBCluster).
 *   https://github.com/hashicorp/terraform-provider-aws/pull/40921
 * - globalClusterIdentifier: read back as "" while a cluster is no member (the old primary after a
 *   failover, until Aurora adds it back); the provider then refuses the update, and a change to ""
 *   calls RemoveFromGlobalCluster (detach).
 *   https://github.com/hashicorp/terraform-provider-aws/blob/main/internal/service/rds/cluster.go
 *   https://github.com/cloudposse/terraform-aws-rds-cluster/issues/281
 * - engineVersion: the global cluster owns it and upgrades its members; the provider's own docs ask the
 *   members to ignore it. https://www.pulumi.com/registry/packages/aws/api-docs/rds/globalcluster/
 * - masterUsername: ForceNew, read back from DescribeDBClusters; it is the global database's, fixed at
 *   creation, and a read-back difference must never plan a replacement of a member.
 */
export const MEMBER_CLUSTER_RUNTIME_OWNED = [
  "replicationSourceIdentifier",
  "globalClusterIdentifier",
  "engineVersion",
  "masterUsername",
];

/** The global cluster upgrades member instances with their cluster, so they leave the version alone too. */
export const MEMBER_INSTANCE_RUNTIME_OWNED = ["engineVersion"];

/**
 * Set at creation only (M1): an operator inverts the primary's check after a switchover to steer
 * clients to the secondary, and an update after a refresh must not revert it. Disabled stays false:
 * Route 53 treats a disabled check as healthy.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-invert.html
 * https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 */
export const HEALTH_CHECK_OPERATOR_OWNED = ["invertHealthcheck", "disabled"];

/** Properties of a consumer that belong to the failover orchestrator once it exists (M1). */
export const QUEUE_CONSUMER_RUNTIME_OWNED = ["enabled"];
