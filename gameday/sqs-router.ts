/**
 * SQS as a function that calls more than one Region sees it: each request goes to the Region its
 * QueueUrl names (https://sqs.<region>.amazonaws.com/<account>/<name>), and a Region that is down does
 * not answer. The order forwarder calls two: the writer's queue (forwards) and its own (visibility of
 * what it could not forward). SQS endpoints are regional:
 * https://docs.aws.amazon.com/general/latest/gr/sqs-service.html
 */
import type { SqsApi } from "./regional-http";
import type { SqsService } from "./sqs";

export function regionOfQueueUrl(url: unknown): string | undefined {
  return /^https:\/\/sqs\.([a-z0-9-]+)\.amazonaws\.com\//.exec(String(url))?.[1];
}

export class SqsRouter implements SqsApi {
  constructor(private readonly regions: ReadonlyMap<string, SqsService>) {}

  /** Whether the Region a request names is up (the server drops the connection when not). */
  answers(input: Record<string, unknown>, isUp: (region: string) => boolean): boolean {
    const region = regionOfQueueUrl(input.QueueUrl);
    return region === undefined || isUp(region);
  }

  handle(command: string, input: Record<string, unknown>): Promise<object> {
    const region = regionOfQueueUrl(input.QueueUrl);
    const sqs = region === undefined ? undefined : this.regions.get(region);
    if (!sqs) return Promise.reject(new Error(`no SQS Region for QueueUrl ${String(input.QueueUrl)}`));
    return sqs.handle(command, input);
  }
}
