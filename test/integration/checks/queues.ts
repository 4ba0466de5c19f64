/**
 * Dead-letter queues must be empty: a message there is an order the processor gave up on. Counts are
 * approximate (ApproximateNumberOfMessages / ...NotVisible / ...Delayed) and all three are summed.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 * Redrive with StartMessageMoveTask (docs/runbook.md).
 */
import { GetQueueAttributesCommand, type QueueAttributeName } from "@aws-sdk/client-sqs";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import type { StackOutputs } from "../support/outputs";
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
