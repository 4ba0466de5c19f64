/**
 * Writes one small object to the primary bucket and waits for it in the replica bucket, then deletes
 * both versions (deleting by VersionId is permanent and is not replicated, so nothing is left behind).
 * A replica's HeadObject reports ReplicationStatus "REPLICA".
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-status.html
 * Version-specific deletes are not replicated:
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-what-is-isnot-replicated.html
 * RTC replicates 99.99% of objects within 15 minutes; most arrive in seconds, so the default wait is a
 * few minutes and the timeout message says what was seen.
 */
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { randomUUID } from "node:crypto";
import { awsCall, isNotFound } from "../support/aws";
import type { AwsClients } from "../support/clients";
import type { StackOutputs } from "../support/outputs";
import { pollUntil } from "../support/poll";
import { CheckFailure } from "./check-failure";

/** Test objects live under this prefix, so an operator can tell them apart (and a lifecycle rule could too). */
export const S3_PROBE_PREFIX = "integration-checks/replication-probe-";

type S3Outputs = Pick<
  StackOutputs,
  "primaryRegion" | "secondaryRegion" | "primaryBucketName" | "secondaryBucketName"
>;

export interface S3RoundTrip {
  readonly key: string;
  readonly seenAfterMs: number;
}

export async function checkS3ObjectReplicates(
  c: AwsClients,
  o: S3Outputs,
  timing: { intervalMs: number; timeoutMs: number } = { intervalMs: 5_000, timeoutMs: 300_000 },
): Promise<S3RoundTrip> {
  const key = `${S3_PROBE_PREFIX}${randomUUID()}`;
  const put = await awsCall(`S3 PutObject ${o.primaryBucketName}/${key}`, (abortSignal) =>
    c
      .s3(o.primaryRegion)
      .send(new PutObjectCommand({ Bucket: o.primaryBucketName, Key: key, Body: "probe" }), {
        abortSignal,
      }),
  );
  let replicaVersion: string | undefined;
  try {
    const seen = await pollUntil(
      async () => {
        try {
          return await awsCall(`S3 HeadObject ${o.secondaryBucketName}/${key}`, (abortSignal) =>
            c.s3(o.secondaryRegion).send(new HeadObjectCommand({ Bucket: o.secondaryBucketName, Key: key }), {
              abortSignal,
            }),
          );
        } catch (err) {
          if (isNotFound(err) || (err as { errorName?: string }).errorName === "NotFound") return undefined;
          throw err;
        }
      },
      { what: `object ${key} in ${o.secondaryBucketName} (${o.secondaryRegion})`, ...timing },
    );
    replicaVersion = seen.value.VersionId;
    if (seen.value.ReplicationStatus !== "REPLICA") {
      throw new CheckFailure("S3 replication", [
        `replica's ReplicationStatus is ${seen.value.ReplicationStatus ?? "missing"}, expected REPLICA`,
      ]);
    }
    return { key, seenAfterMs: seen.elapsedMs };
  } finally {
    await cleanUp(c, o, key, put.VersionId, replicaVersion);
  }
}

async function cleanUp(
  c: AwsClients,
  o: S3Outputs,
  key: string,
  primaryVersion?: string,
  replicaVersion?: string,
) {
  const targets = [
    [o.primaryRegion, o.primaryBucketName, primaryVersion],
    [o.secondaryRegion, o.secondaryBucketName, replicaVersion],
  ] as const;
  await Promise.all(
    targets
      .filter(([, , version]) => version !== undefined)
      .map(([region, bucket, version]) =>
        awsCall(`S3 DeleteObject ${bucket}/${key}?versionId=${version}`, (abortSignal) =>
          c
            .s3(region)
            .send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version }), { abortSignal }),
        ).catch((err: unknown) =>
          console.warn(`B4: could not delete test object: ${String((err as Error).message)}`),
        ),
      ),
  );
}
