/**
 * The stack's state after `pulumi refresh` once AWS, the orchestrator or an operator has acted: the
 * inputs of the last deploy, with every run-time change laid over them as the AWS provider reads it
 * back. Each overlay names the provider code or AWS page it follows.
 */
import { auroraClusterIds, auroraName } from "../../lib/data/aurora-names";
import { HEALTH_CHECK_PARTS } from "../../lib/detection/health-check";
import { REGIONAL_SERVICE_PARTS, regionalServiceName } from "../../lib/service/regional-service";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import type { AwsAfter, Role } from "./aws-after";

const ROLES: Role[] = ["primary", "secondary"];
export const CLUSTER = "aws:rds/cluster:Cluster";
export const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
export const HEALTH_CHECK = "aws:route53/healthCheck:HealthCheck";

/** Every property this model changes at run time, by resource type: the ownership table must list each. */
export const RUNTIME_CHANGED: readonly { type: string; property: string }[] = [
  { type: CLUSTER, property: "replicationSourceIdentifier" },
  { type: CLUSTER, property: "globalClusterIdentifier" },
  { type: MAPPING, property: "enabled" },
  { type: HEALTH_CHECK, property: "invertHealthcheck" },
];

/** A refreshed resource: its URN, type, name and inputs as the provider reads them back. */
export interface Refreshed {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, unknown>;
}

const clusterName = (stack: string, role: Role) => auroraClusterIds(auroraName(stack))[role];
const mappingName = (stack: string, role: Role, kind: "processor" | "forwarder") =>
  `${regionalServiceName(stack, role)}-${REGIONAL_SERVICE_PARTS[kind]}-sqs`;
const healthCheckName = (stack: string, role: Role) =>
  `${regionalServiceName(stack, role)}-${REGIONAL_SERVICE_PARTS.healthCheck}-${HEALTH_CHECK_PARTS.check}`;

/** The deployed resources of `stack` as a refresh after `after` shows them. */
export function refreshedState(stack: string, deployed: RecordedResource[], after: AwsAfter): Refreshed[] {
  const state = deployed.map((r) => ({ urn: r.urn, type: r.type, name: r.name, inputs: { ...r.inputs } }));
  const find = (type: string, name: string) => {
    const found = state.find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`the deployed stack has no ${type} ${name}`);
    return found;
  };
  const clusterArn = (role: Role) =>
    String(deployed.find((r) => r.type === CLUSTER && r.name === clusterName(stack, role))?.state.arn);
  for (const role of ROLES) {
    overlayCluster(find(CLUSTER, clusterName(stack, role)).inputs, role, after, clusterArn(after.writer));
    for (const kind of ["processor", "forwarder"] as const) {
      find(MAPPING, mappingName(stack, role, kind)).inputs.enabled = after.mappings[role][kind];
    }
  }
  // Read back from GetHealthCheck's HealthCheckConfig.Inverted (provider: route53/health_check.go).
  find(HEALTH_CHECK, healthCheckName(stack, "primary")).inputs.invertHealthcheck =
    after.primaryHealthCheckInverted;
  return state;
}

/**
 * A member cluster as the provider reads it (internal/service/rds/cluster.go, resourceClusterRead):
 * `replication_source_identifier` is DescribeDBClusters' ReplicationSourceIdentifier, which AWS sets on a
 * secondary (the writer's ARN) and clears on the writer; `global_cluster_identifier` is the global
 * cluster that lists it as a member, "" when none does (the old primary before it rejoins).
 * https://github.com/hashicorp/terraform-provider-aws/pull/40921
 */
function overlayCluster(inputs: Record<string, unknown>, role: Role, after: AwsAfter, writerArn: string) {
  const member = after.members.includes(role);
  if (member && role !== after.writer) inputs.replicationSourceIdentifier = writerArn;
  else delete inputs.replicationSourceIdentifier;
  if (!member) inputs.globalClusterIdentifier = "";
}
