import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { AuroraClusterIds } from "./aurora-names";

export type AuroraRole = "primary" | "secondary";

/**
 * Where the Aurora writer is at deploy time (M2): no global database yet (a first deploy, or the
 * secondary member not created yet), or the member that writes, or none while AWS moves the writer.
 */
export type AuroraWriter =
  | { readonly exists: false }
  | { readonly exists: true; readonly writer?: AuroraRole; readonly members: readonly string[] };

/**
 * Reads the writer from AWS through the secondary Region, which keeps answering when the primary Region
 * is the one that is down.
 *
 * A get function fails the program when the resource does not exist, so existence is asked first of
 * DescribeDBClusters with the `db-cluster-id` filter, which answers an empty list instead; the global
 * cluster is read only when the secondary member exists.
 * https://github.com/pulumi/pulumi/issues/3364
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_DescribeDBClusters.html
 * https://www.pulumi.com/registry/packages/aws/api-docs/rds/getglobalcluster/
 * https://docs.aws.amazon.com/AmazonRDS/latest/APIReference/API_GlobalClusterMember.html (IsWriter)
 */
export async function locateAuroraWriter(
  ids: AuroraClusterIds,
  opts: { readonly provider: aws.Provider; readonly parent: pulumi.Resource },
): Promise<AuroraWriter> {
  const found = await aws.rds.getClusters(
    { filters: [{ name: "db-cluster-id", values: [ids.secondary] }] },
    { provider: opts.provider, parent: opts.parent },
  );
  if (found.clusterIdentifiers.length === 0) return { exists: false };
  const global = await aws.rds
    .getGlobalCluster({ identifier: ids.global }, { provider: opts.provider, parent: opts.parent })
    .catch((err: unknown) => {
      throw new Error(
        `The Aurora cluster ${ids.secondary} exists but its global cluster ${ids.global} cannot be read, ` +
          `so the program cannot tell where the writer is (was the cluster detached?): ${String(err)}`,
      );
    });
  const roleOf = (arn: string): AuroraRole | undefined =>
    arn.endsWith(`:cluster:${ids.primary}`)
      ? "primary"
      : arn.endsWith(`:cluster:${ids.secondary}`)
        ? "secondary"
        : undefined;
  const writer = global.members.find((m) => m.isWriter);
  return {
    exists: true,
    writer: writer && roleOf(writer.dbClusterArn),
    members: global.members.map((m) => `${m.dbClusterArn}${m.isWriter ? " (writer)" : ""}`),
  };
}

/**
 * The region that books orders: the writer's. A first deploy creates the writer in the primary. A
 * pinned `tap:processingRegion` must agree with AWS, and a global database without a writer of this
 * stack (a switchover or failover under way) stops the deploy: processing is never deployed against a
 * reader.
 */
export function processingRegionFor(pinned: AuroraRole | undefined, found: AuroraWriter): AuroraRole {
  const writer = found.exists ? found.writer : "primary";
  if (!writer) {
    throw new Error(
      "No member of the Aurora global database is the writer right now (" +
        (found.exists ? found.members.join(", ") : "") +
        "): a switchover or failover is under way. Deploy again once the global cluster is available " +
        "(aws rds describe-global-clusters).",
    );
  }
  if (pinned && pinned !== writer) {
    throw new Error(
      `tap:processingRegion is "${pinned}" but the Aurora writer is the ${writer} cluster` +
        (found.exists ? "" : " (a first deploy creates the writer in the primary region)") +
        `. Remove the key to follow the writer (pulumi config rm tap:processingRegion), or set it to "${writer}".`,
    );
  }
  return writer;
}
