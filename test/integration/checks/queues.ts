/**
 * Dead-letter queues must be empty: a message there is an order the processor gave up on. Counts are
 * approximate (ApproximateNumberOfMessages / ...NotVisible / ...Delayed) and all three are summed.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 * Redrive with StartMessageMoveTask (docs/runbook.md).
 * The rejects queues hold orders the processors refused (bad or conflicting contents): never redriven,
 * each needs a person. They must exist in their own Region, be encrypted with the stack's key
 * (KmsMasterKeyId set), keep messages PARKED_RETENTION_SECONDS (the SQS maximum) so nothing parked
 * expires unread, and be empty on a healthy platform.
 */
import { GetQueueAttributesCommand, type QueueAttributeName } from "@aws-sdk/client-sqs";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import { PARKED_RETENTION_SECONDS } from "../../../lib/orders/order-queue";
import { regionOfArn, type StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

const DEPTH_ATTRIBUTES: QueueAttributeName[] = [
  "ApproximateNumberOfMessages",
  "ApproximateNumberOfMessagesNotVisible",
  "ApproximateNumberOfMessagesDelayed",
];

export interface QueueCounts {
  readonly visible: number;
  readonly inFlight: number;
  readonly delayed: number;
}

/** Approximate message counts of a queue (NaN where SQS did not answer an attribute). */
export async function queueCounts(c: AwsClients, region: string, queueUrl: string): Promise<QueueCounts> {
  const out = await awsCall(`SQS GetQueueAttributes ${queueUrl} (${region})`, (abortSignal) =>
    c
      .sqs(region)
      .send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: DEPTH_ATTRIBUTES }), {
        abortSignal,
      }),
  );
  const n = (a: QueueAttributeName) => Number(out.Attributes?.[a] ?? "NaN");
  return {
    visible: n("ApproximateNumberOfMessages"),
    inFlight: n("ApproximateNumberOfMessagesNotVisible"),
    delayed: n("ApproximateNumberOfMessagesDelayed"),
  };
}

/** Approximate number of messages in a queue, counting in-flight and delayed ones. */
export async function queueDepth(c: AwsClients, region: string, queueUrl: string): Promise<number> {
  const q = await queueCounts(c, region, queueUrl);
  return q.visible + q.inFlight + q.delayed;
}

export async function checkDlqsEmpty(
  c: AwsClients,
  o: Pick<StackOutputs, "primaryRegion" | "secondaryRegion" | "primaryDlqUrl" | "secondaryDlqUrl">,
): Promise<void> {
  const dlqs = [
    [o.primaryRegion, o.primaryDlqUrl],
    [o.secondaryRegion, o.secondaryDlqUrl],
  ] as const;
  const depths = await Promise.all(dlqs.map(([region, url]) => queueDepth(c, region, url)));
  const problems = dlqs.flatMap(([region, url], i) =>
    depths[i] === 0
      ? []
      : [
          `${url} (${region}) holds ${Number.isNaN(depths[i]) ? "an unknown number of" : depths[i]} message(s); see the runbook's DLQ redrive`,
        ],
  );
  passOrThrow("dead-letter queues", problems, undefined);
}

type RejectsOutputs = Pick<
  StackOutputs,
  "primaryRegion" | "secondaryRegion" | "primaryRejectsQueueUrl" | "secondaryRejectsQueueUrl"
>;

async function rejectsProblems(c: AwsClients, region: string, url: string): Promise<string[]> {
  const out = await awsCall(`SQS GetQueueAttributes ${url} (${region})`, (abortSignal) =>
    c.sqs(region).send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ["QueueArn", "KmsMasterKeyId", "MessageRetentionPeriod", ...DEPTH_ATTRIBUTES],
      }),
      { abortSignal },
    ),
  );
  const a = out.Attributes ?? {};
  const problems: string[] = [];
  const arnRegion = a.QueueArn ? regionOfArn(a.QueueArn) : undefined;
  if (arnRegion !== region) problems.push(`QueueArn ${a.QueueArn ?? "missing"} is not in ${region}`);
  if (!a.KmsMasterKeyId) problems.push("not encrypted with a KMS key (KmsMasterKeyId unset)");
  if (Number(a.MessageRetentionPeriod) !== PARKED_RETENTION_SECONDS)
    problems.push(
      `MessageRetentionPeriod is ${a.MessageRetentionPeriod ?? "missing"} s, expected ${PARKED_RETENTION_SECONDS} s: parked orders would expire sooner`,
    );
  const depth = DEPTH_ATTRIBUTES.reduce((n, k) => n + Number(a[k] ?? "NaN"), 0);
  if (depth !== 0)
    problems.push(
      `holds ${Number.isNaN(depth) ? "an unknown number of" : depth} refused order(s): read each reason in the processor's log, then fix and resend or delete`,
    );
  return problems.map((p) => `${url} (${region}): ${p}`);
}

export async function checkRejectsQueues(c: AwsClients, o: RejectsOutputs): Promise<void> {
  const queues = [
    [o.primaryRegion, o.primaryRejectsQueueUrl],
    [o.secondaryRegion, o.secondaryRejectsQueueUrl],
  ] as const;
  const problems = (await Promise.all(queues.map(([region, url]) => rejectsProblems(c, region, url)))).flat();
  passOrThrow("rejects queues", problems, undefined);
}
