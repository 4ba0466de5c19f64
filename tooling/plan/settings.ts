/**
 * The settings a reviewer checks, per resource, in a few words for the text tree: instance class,
 * deletion protection, backups, runtime, timeouts, `protect`; and the replicas a resource creates in
 * other regions (DynamoDB global table replicas, Secrets Manager replicas), which have no resource of
 * their own.
 */
import { PlanResource } from "./model";

type Setting = (inputs: Record<string, unknown>) => string | undefined;

const has = (v: unknown) => v !== undefined && v !== null && v !== "";
const show =
  (key: string, label = key, unit = ""): Setting =>
  (i) =>
    has(i[key]) ? `${label} ${String(i[key])}${unit}` : undefined;
const flag =
  (key: string, label = key): Setting =>
  (i) =>
    i[key] === true ? label : i[key] === false ? `no ${label}` : undefined;

const SETTINGS: Record<string, Setting[]> = {
  "aws:rds/cluster:Cluster": [
    show("engineVersion", "engine"),
    flag("deletionProtection", "deletion protection"),
    show("backupRetentionPeriod", "backups", "d"),
    flag("skipFinalSnapshot", "skip final snapshot"),
  ],
  "aws:rds/globalCluster:GlobalCluster": [
    show("engineVersion", "engine"),
    flag("deletionProtection", "deletion protection"),
  ],
  "aws:rds/clusterInstance:ClusterInstance": [show("instanceClass", "class")],
  "aws:lambda/function:Function": [
    show("runtime"),
    show("timeout", "timeout", "s"),
    show("memorySize", "memory", "MB"),
  ],
  "aws:dynamodb/table:Table": [
    show("billingMode", "billing"),
    flag("deletionProtectionEnabled", "deletion protection"),
  ],
  "aws:sqs/queue:Queue": [show("visibilityTimeoutSeconds", "visibility", "s")],
  "aws:synthetics/canary:Canary": [show("runtimeVersion", "runtime")],
  "aws:cloudwatch/logGroup:LogGroup": [show("retentionInDays", "retention", "d")],
  "aws:kms/key:Key": [show("deletionWindowInDays", "deletion window", "d")],
};

/** "engine 15.14, deletion protection, backups 7d, protect", or "" when nothing applies. */
export function settingsOf(r: PlanResource): string {
  const parts = (SETTINGS[r.type] ?? []).map((s) => s(r.inputs)).filter((x): x is string => !!x);
  if (r.protect) parts.push("protect");
  if (r.retainOnDelete) parts.push("retain on delete");
  return parts.join(", ");
}

export interface Replica {
  readonly kind: string;
  readonly region: string;
}

/** Copies a resource keeps in other regions. */
export function replicasOf(r: PlanResource): Replica[] {
  const list = Array.isArray(r.inputs.replicas) ? (r.inputs.replicas as Record<string, unknown>[]) : [];
  if (r.type === "aws:dynamodb/table:Table") {
    return list
      .filter((x) => has(x.regionName))
      .map((x) => ({ kind: "DynamoDB replica", region: String(x.regionName) }));
  }
  if (r.type === "aws:secretsmanager/secret:Secret") {
    return list
      .filter((x) => has(x.region))
      .map((x) => ({ kind: "Secrets Manager replica", region: String(x.region) }));
  }
  return [];
}
