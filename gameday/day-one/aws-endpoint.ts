/**
 * The regional AWS APIs one caller (a function, by its role) reaches in the day-one world, over HTTP as
 * its SDK clients speak them. Each request is authorized first (iam.ts): the caller's role policies and
 * the target's resource policy. The answers are the documented shapes of the calls the health check
 * makes; anything else is an UnknownOperation, so a new call shows up here before it reaches AWS.
 *  - SQS GetQueueAttributes (JSON protocol): https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 *  - DynamoDB DescribeTable: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html
 *  - Lambda GetEventSourceMapping (REST): https://docs.aws.amazon.com/lambda/latest/api/API_GetEventSourceMapping.html
 * A denial is the service's AccessDeniedException (HTTP 400 for the JSON protocols, 403 for Lambda's
 * REST protocol), which the SDK raises with that name.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { recorded, type CallRecord } from "./iam";
import type { ProgramModel } from "./model";

export type { CallRecord };

export interface Caller {
  readonly region: string;
  readonly roleArn: string;
}

type Reply = { status: number; body: object; headers?: Record<string, string> };

export class AwsEndpoint {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async open(
    model: ProgramModel,
    caller: Caller,
    calls: CallRecord[],
    state: { mappingEnabled: (uuid: string) => boolean | undefined },
  ): Promise<AwsEndpoint> {
    const api = new Api(model, caller, calls, state);
    const server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c: Buffer) => (raw += c.toString()));
      req.on("end", () => {
        api
          .answer(req, raw)
          .then((r) => send(res, r))
          .catch((e: Error) => send(res, { status: 500, body: { message: e.message } }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return new AwsEndpoint(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function send(res: ServerResponse, r: Reply): void {
  res.writeHead(r.status, { "content-type": "application/x-amz-json-1.0", ...(r.headers ?? {}) });
  res.end(JSON.stringify(r.body));
}

class Api {
  constructor(
    private readonly model: ProgramModel,
    private readonly caller: Caller,
    private readonly calls: CallRecord[],
    private readonly state: { mappingEnabled: (uuid: string) => boolean | undefined },
  ) {}

  async answer(req: IncomingMessage, raw: string): Promise<Reply> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const input = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    if (target === "AmazonSQS.GetQueueAttributes") return this.getQueueAttributes(input);
    if (target === "DynamoDB_20120810.DescribeTable") return this.describeTable(input);
    const esm = /^\/2015-03-31\/event-source-mappings\/([^/?]+)/.exec(req.url ?? "");
    if (req.method === "GET" && esm) return this.getEventSourceMapping(decodeURIComponent(esm[1]));
    return jsonError(
      400,
      "UnknownOperationException",
      `the day-one world does not answer ${target || req.url}`,
    );
  }

  private async authorize(
    action: string,
    resource: string,
    resourcePolicy?: object,
  ): Promise<Reply | undefined> {
    const decision = await recorded(
      {
        principal: this.caller.roleArn,
        action,
        resource,
        account: this.model.account,
        identityPolicies: this.model.rolePolicies[this.caller.roleArn] ?? [],
        resourcePolicy: resourcePolicy as never,
      },
      this.calls,
    );
    if (decision.allowed) return undefined;
    return action.startsWith("lambda:")
      ? restError(403, "AccessDeniedException", decision.reason)
      : jsonError(400, "AccessDeniedException", decision.reason);
  }

  private async getQueueAttributes(input: Record<string, unknown>): Promise<Reply> {
    // Matched by path: the world serves the queue URL from its own address (world.ts).
    const path = new URL(String(input.QueueUrl ?? ""), "http://x").pathname;
    const queue = this.model.queues.find(
      (q) => new URL(q.url).pathname === path && q.region === this.caller.region,
    );
    if (!queue) return jsonError(400, "QueueDoesNotExist", "The specified queue does not exist.");
    const denied = await this.authorize("sqs:GetQueueAttributes", queue.arn, queue.policy);
    return denied ?? { status: 200, body: { Attributes: { QueueArn: queue.arn } } };
  }

  private async describeTable(input: Record<string, unknown>): Promise<Reply> {
    const name = String(input.TableName ?? "");
    const arn = `arn:aws:dynamodb:${this.caller.region}:${this.model.account}:table/${name}`;
    const table = this.model.tables.find((t) => t.name === name && t.regions.includes(this.caller.region));
    if (!table)
      return jsonError(400, "ResourceNotFoundException", `Requested resource not found: Table: ${name}`);
    const denied = await this.authorize("dynamodb:DescribeTable", arn);
    return (
      denied ?? {
        status: 200,
        body: {
          Table: {
            TableName: name,
            TableArn: arn,
            TableStatus: "ACTIVE",
            Replicas: table.regions.map((r) => ({ RegionName: r, ReplicaStatus: "ACTIVE" })),
          },
        },
      }
    );
  }

  private async getEventSourceMapping(uuid: string): Promise<Reply> {
    const mapping = this.model.mappings.find((m) => m.uuid === uuid && m.region === this.caller.region);
    if (!mapping)
      return restError(404, "ResourceNotFoundException", `The resource you requested does not exist.`);
    const denied = await this.authorize("lambda:GetEventSourceMapping", mapping.arn);
    const enabled = this.state.mappingEnabled(uuid) ?? mapping.enabled;
    return denied ?? { status: 200, body: { UUID: uuid, State: enabled ? "Enabled" : "Disabled" } };
  }
}

function jsonError(status: number, type: string, message: string): Reply {
  return { status, body: { __type: type, message } };
}

function restError(status: number, type: string, message: string): Reply {
  return { status, body: { Type: "User", Message: message }, headers: { "x-amzn-errortype": type } };
}
