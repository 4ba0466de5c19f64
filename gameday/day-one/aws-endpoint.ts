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
 * With `booking` (the order processor run here, world.ts), also what the processor calls:
 *  - Secrets Manager GetSecretValue: the role's policies, then the secret's KMS key, which Secrets Manager
 *    uses on the caller's behalf (kms:Decrypt via secretsmanager, so the role and the key policy must
 *    allow it): https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html
 *    https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 *  - DynamoDB PutItem (and GetItem, which a refused conditional put leads to), carried out by a dynalite
 *    once allowed: https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html
 *  - Lambda Invoke (the lease reader, writer-lease.ts), a function error being a 200 with
 *    X-Amz-Function-Error: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 *  - SQS's other calls (parking, visibility), answered by the world with its queues.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { InvokeCommandOutput } from "@aws-sdk/client-lambda";
import { recorded, type CallRecord } from "./iam";
import type { ProgramModel } from "./model";

export type { CallRecord };

export interface Caller {
  readonly region: string;
  readonly roleArn: string;
}

export type Reply = { status: number; body: object; headers?: Record<string, string> };

export interface EndpointState {
  readonly mappingEnabled: (uuid: string) => boolean | undefined;
  /** The order processor's backends, when the world runs it. */
  readonly booking?: BookingBackends;
}

export interface BookingBackends {
  /** What the secret holds in this world (the local ledger's credentials). */
  secretString(arn: string): string;
  /** The dynalite that carries out an allowed DynamoDB call. */
  readonly dynamoEndpoint: string;
  /** Lambda Invoke by this caller (its network and IAM checked there). */
  invoke(functionName: string): Promise<InvokeCommandOutput>;
  /** SQS calls other than GetQueueAttributes, authorized and answered with the world's queues. */
  sqs(command: string, input: Record<string, unknown>): Promise<Reply>;
}

export class AwsEndpoint {
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async open(
    model: ProgramModel,
    caller: Caller,
    calls: CallRecord[],
    state: EndpointState,
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
    private readonly state: EndpointState,
  ) {}

  async answer(req: IncomingMessage, raw: string): Promise<Reply> {
    const target = String(req.headers["x-amz-target"] ?? "");
    const input = (raw ? JSON.parse(raw) : {}) as Record<string, unknown>;
    if (target === "AmazonSQS.GetQueueAttributes") return this.getQueueAttributes(input);
    if (target === "DynamoDB_20120810.DescribeTable") return this.describeTable(input);
    const booking = this.state.booking;
    if (booking) {
      if (target === "secretsmanager.GetSecretValue") return this.getSecretValue(input, booking);
      const item = /^DynamoDB_20120810\.(PutItem|GetItem)$/.exec(target);
      if (item) return this.itemCall(`dynamodb:${item[1]}`, req, raw, input, booking);
      if (target.startsWith("AmazonSQS.")) return booking.sqs(target.slice("AmazonSQS.".length), input);
      const fn = /^\/2015-03-31\/functions\/([^/]+)\/invocations/.exec(req.url ?? "");
      if (req.method === "POST" && fn) return this.invoke(decodeURIComponent(fn[1]), booking);
    }
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
    context?: Record<string, string>,
  ): Promise<Reply | undefined> {
    const decision = await recorded(
      {
        principal: this.caller.roleArn,
        action,
        resource,
        account: this.model.account,
        identityPolicies: this.model.rolePolicies[this.caller.roleArn] ?? [],
        resourcePolicy: resourcePolicy as never,
        context,
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

  private async getSecretValue(input: Record<string, unknown>, booking: BookingBackends): Promise<Reply> {
    const id = String(input.SecretId ?? "");
    const secret = this.model.secrets.find((s) => s.arn === id && s.region === this.caller.region);
    if (!secret)
      return jsonError(400, "ResourceNotFoundException", "Secrets Manager can't find the specified secret.");
    const denied = await this.authorize("secretsmanager:GetSecretValue", secret.arn);
    if (denied) return denied;
    if (secret.kmsKeyArn) {
      const key = await this.authorize(
        "kms:Decrypt",
        secret.kmsKeyArn,
        this.model.keyPolicies[secret.kmsKeyArn],
        viaService("secretsmanager", this.caller.region, this.model.account),
      );
      // Secrets Manager reports the key's refusal as its own AccessDeniedException.
      if (key) return key;
    }
    return {
      status: 200,
      body: {
        ARN: secret.arn,
        Name: secret.arn.split(":").pop(),
        SecretString: booking.secretString(secret.arn),
      },
    };
  }

  private async itemCall(
    action: string,
    req: IncomingMessage,
    raw: string,
    input: Record<string, unknown>,
    booking: BookingBackends,
  ): Promise<Reply> {
    const name = String(input.TableName ?? "");
    const table = this.model.tables.find((t) => t.name === name && t.regions.includes(this.caller.region));
    if (!table)
      return jsonError(400, "ResourceNotFoundException", `Requested resource not found: Table: ${name}`);
    const denied = await this.authorize(
      action,
      `arn:aws:dynamodb:${this.caller.region}:${this.model.account}:table/${name}`,
    );
    if (denied) return denied;
    const headers: Record<string, string> = {};
    for (const h of ["x-amz-target", "content-type", "authorization", "x-amz-date"])
      if (req.headers[h]) headers[h] = String(req.headers[h]);
    const res = await fetch(booking.dynamoEndpoint, { method: "POST", headers, body: raw });
    return { status: res.status, body: (await res.json()) as object };
  }

  private async invoke(name: string, booking: BookingBackends): Promise<Reply> {
    try {
      const out = await booking.invoke(name);
      const payload = JSON.parse(new TextDecoder().decode(out.Payload)) as object;
      const headers: Record<string, string> = out.FunctionError
        ? { "x-amz-function-error": out.FunctionError }
        : {};
      return { status: out.StatusCode ?? 200, body: payload, headers };
    } catch (err) {
      const e = err as Error;
      return restError(e.name === "ResourceNotFoundException" ? 404 : 403, e.name, e.message);
    }
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

/**
 * A service using a KMS key on the caller's behalf: a forward access session, the caller's own principal
 * with kms:ViaService naming the service. https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/access_forward_access_sessions.html
 */
export function viaService(service: string, region: string, account: string): Record<string, string> {
  return {
    "kms:ViaService": `${service}.${region}.amazonaws.com`,
    "kms:CallerAccount": account,
    "aws:ViaAWSService": "true",
  };
}

function jsonError(status: number, type: string, message: string): Reply {
  return { status, body: { __type: type, message } };
}

function restError(status: number, type: string, message: string): Reply {
  return { status, body: { Type: "User", Message: message }, headers: { "x-amzn-errortype": type } };
}
