/**
 * DynamoDB global table and the replicated DB secret, live.
 * - TableStatus and each ReplicaStatus must be ACTIVE (UPDATING etc. mean a change is still running).
 *   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
 * - A Secrets Manager replica is usable when its ReplicationStatus entry says InSync (InProgress and
 *   Failed are the other values). https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ReplicationStatusType.html
 */
import { DescribeTableCommand } from "@aws-sdk/client-dynamodb";
import { DescribeSecretCommand } from "@aws-sdk/client-secrets-manager";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import { regionOfArn, type StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

export async function checkOrdersTable(
  c: AwsClients,
  o: Pick<StackOutputs, "dynamoTableName" | "primaryRegion" | "secondaryRegion">,
): Promise<void> {
  const out = await awsCall(
    `DynamoDB DescribeTable ${o.dynamoTableName} (${o.primaryRegion})`,
    (abortSignal) =>
      c
        .dynamodb(o.primaryRegion)
        .send(new DescribeTableCommand({ TableName: o.dynamoTableName }), { abortSignal }),
  );
  const problems: string[] = [];
  const t = out.Table;
  if (t?.TableStatus !== "ACTIVE")
    problems.push(`TableStatus is ${t?.TableStatus ?? "missing"}, expected ACTIVE`);
  const replicas = t?.Replicas ?? [];
  if (!replicas.some((r) => r.RegionName === o.secondaryRegion))
    problems.push(`no replica in ${o.secondaryRegion}`);
  for (const r of replicas) {
    if (r.ReplicaStatus !== "ACTIVE")
      problems.push(`replica ${r.RegionName ?? "?"} is ${r.ReplicaStatus ?? "missing"}, expected ACTIVE`);
  }
  passOrThrow(`DynamoDB table ${o.dynamoTableName}`, problems, undefined);
}

export async function checkSecretReplica(
  c: AwsClients,
  o: Pick<StackOutputs, "dbSecretArn" | "secondaryRegion">,
): Promise<void> {
  const region = regionOfArn(o.dbSecretArn);
  const out = await awsCall(`SecretsManager DescribeSecret ${o.dbSecretArn} (${region})`, (abortSignal) =>
    c.secretsManager(region).send(new DescribeSecretCommand({ SecretId: o.dbSecretArn }), { abortSignal }),
  );
  const replica = (out.ReplicationStatus ?? []).find((r) => r.Region === o.secondaryRegion);
  const problems: string[] = [];
  if (!replica) problems.push(`no replica in ${o.secondaryRegion}`);
  else if (replica.Status !== "InSync") {
    problems.push(
      `replica in ${o.secondaryRegion} is ${replica.Status ?? "missing"}: ${replica.StatusMessage ?? "no message"}`,
    );
  }
  passOrThrow(`DB secret ${o.dbSecretArn}`, problems, undefined);
}
