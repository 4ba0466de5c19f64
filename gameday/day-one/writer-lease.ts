/**
 * X3 on day one: the writer lease as a fresh `pulumi up` deploys it, built from the program's recorded
 * resources. Each order Region's processor confirms the lease as its code does (lease-gate.ts over
 * lease-source.ts), its Lambda client reaching the Region's lease reader the way AWS would let it:
 * - through the network: the processor runs in a VPC without NAT, so Lambda is reached only through a
 *   Lambda interface endpoint with private DNS in that VPC (network.ts); the reader runs outside any VPC
 *   and reaches the witness Region's DynamoDB, while a VPC function reaches no other Region's DynamoDB
 *   (gateway endpoints serve their own Region only:
 *   https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html);
 * - through IAM (iam.ts): lambda:InvokeFunction by the processor's role on the reader, dynamodb:GetItem by
 *   the reader's role on the witness table.
 * The reader is the real handler (lambda/lease-reader) over a witness table in dynalite, seeded with the
 * recorded lease item. Invoke answers as Lambda's do: a throwing handler is a 200 with FunctionError.
 * https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 * Not modelled: KMS on the witness table (DynamoDB decrypts with the table's key on the caller's behalf),
 * latency, throttling. Kept in its own file beside world.ts: it needs none of the world's servers.
 */
import {
  CreateTableCommand,
  PutItemCommand,
  waitUntilTableExists,
  type AttributeValue,
} from "@aws-sdk/client-dynamodb";
import type { GetCommand } from "@aws-sdk/lib-dynamodb";
import type { InvokeCommand, InvokeCommandOutput } from "@aws-sdk/client-lambda";
import { createLeaseReaderHandler } from "../../lambda/lease-reader";
import { createLeaseGate } from "../../lambda/order-processor/lease-gate";
import { invokeLeaseReader } from "../../lambda/order-processor/lease-source";
import { PROCESSOR_LEASE_ENV, READER_LEASE_ENV } from "../../lambda/shared/writer-lease";
import { startDynamo, type TestDynamo } from "../../tooling/stores/dynamodb";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { witnessTableInput } from "../witness-table";
import { recorded, type CallRecord } from "./iam";
import { programModel, type FunctionModel, type ProgramModel } from "./model";
import { reaches } from "./network";

const TABLE = "aws:dynamodb/table:Table";
const ITEM = "aws:dynamodb/tableItem:TableItem";

/** The witness as deployed: the table holding the recorded lease item. */
interface Witness {
  readonly name: string;
  readonly arn: string;
  readonly region: string;
}

export class DayOneLease {
  private constructor(
    private readonly model: ProgramModel,
    private readonly witness: Witness,
    private readonly dynamo: TestDynamo,
    readonly calls: CallRecord[],
  ) {}

  /**
   * The witness of a program run, seeded with its recorded lease item; throws when it deploys none.
   * `calls` records every authorization (the world passes its own).
   */
  static async build(resources: readonly RecordedResource[], calls: CallRecord[] = []): Promise<DayOneLease> {
    const item = resources.find((r) => r.type === ITEM);
    const table = resources.find((r) => r.type === TABLE && r.id === item?.inputs.tableName);
    if (!item || !table) throw new Error("this program deploys no writer lease (tap:writerLease false?)");
    const witness = { name: table.id, arn: String(table.state.arn), region: String(table.region) };
    const dynamo = await startDynamo();
    try {
      const client = dynamo.client;
      await client.send(new CreateTableCommand(witnessTableInput(witness.name)));
      await waitUntilTableExists(
        { client, maxWaitTime: 20, minDelay: 1, maxDelay: 1 },
        { TableName: witness.name },
      );
      const body = JSON.parse(String(item.inputs.item)) as Record<string, AttributeValue>;
      await client.send(new PutItemCommand({ TableName: witness.name, Item: body }));
    } catch (e) {
      await dynamo.stop();
      throw e;
    }
    return new DayOneLease(programModel(resources), witness, dynamo, calls);
  }

  /** The order processor of `region`: the one function that names a lease reader. */
  private processor(region: string): FunctionModel {
    const fn = this.model.functions.find((f) => f.region === region && f.env[PROCESSOR_LEASE_ENV.reader]);
    if (!fn) throw new Error(`no order processor with a lease reader in ${region}`);
    return fn;
  }

  /** The processor's lease gate in `region`, as deployed. */
  gate(region: string): () => Promise<void> {
    const processor = this.processor(region);
    return createLeaseGate({
      readLease: invokeLeaseReader(this.lambdaFor(processor), processor.env[PROCESSOR_LEASE_ENV.reader]),
      leaseMs: Number(processor.env[PROCESSOR_LEASE_ENV.leaseMs]),
      region,
    });
  }

  /** Lambda's Invoke of `functionName` by `caller` (the processor's bundle, through the world's endpoint). */
  invoke(caller: FunctionModel, functionName: string): Promise<InvokeCommandOutput> {
    return this.lambdaFor(caller).send({ input: { FunctionName: functionName } } as InvokeCommand);
  }

  /** Lambda's Invoke as `caller` reaches it: its network, its role, the function named. */
  private lambdaFor(caller: FunctionModel) {
    return {
      send: async (command: InvokeCommand): Promise<InvokeCommandOutput> => {
        if (!reaches(this.model, caller, "lambda")) {
          throw Object.assign(new Error("connect ETIMEDOUT: no route to Lambda from the VPC"), {
            name: "TimeoutError",
          });
        }
        const name = String(command.input.FunctionName);
        const target = this.model.functions.find(
          (f) => f.region === caller.region && (f.arn === name || f.arn.endsWith(`:function:${name}`)),
        );
        if (!target)
          throw Object.assign(new Error(`Function not found: ${name}`), {
            name: "ResourceNotFoundException",
          });
        const allowed = await this.allowed(caller, "lambda:InvokeFunction", target.arn);
        if (!allowed.ok) throw Object.assign(new Error(allowed.reason), { name: "AccessDeniedException" });
        return invokeAnswer(createLeaseReaderHandler(target.env, () => this.dynamoFor(target)));
      },
    };
  }

  /** DynamoDB as the reader reaches it: the witness Region's, if its network has a path there, under its role. */
  private dynamoFor(caller: FunctionModel) {
    const region = caller.env[READER_LEASE_ENV.region];
    return {
      send: async (command: GetCommand) => {
        const path = caller.vpcId
          ? region === caller.region && reaches(this.model, caller, "dynamodb")
          : true;
        if (!path)
          throw Object.assign(new Error(`connect ETIMEDOUT: no route to DynamoDB in ${region}`), {
            name: "TimeoutError",
          });
        if (region !== this.witness.region || command.input.TableName !== this.witness.name) {
          throw Object.assign(
            new Error(`Requested resource not found: ${command.input.TableName} in ${region}`),
            {
              name: "ResourceNotFoundException",
            },
          );
        }
        const allowed = await this.allowed(caller, "dynamodb:GetItem", this.witness.arn);
        if (!allowed.ok) throw Object.assign(new Error(allowed.reason), { name: "AccessDeniedException" });
        return this.dynamo.doc.send(command);
      },
    };
  }

  private async allowed(caller: FunctionModel, action: string, resource: string) {
    const decision = await recorded(
      {
        principal: caller.roleArn,
        action,
        resource,
        account: this.model.account,
        identityPolicies: this.model.rolePolicies[caller.roleArn] ?? [],
      },
      this.calls,
    );
    return decision.allowed ? { ok: true as const } : { ok: false as const, reason: decision.reason };
  }

  async stop(): Promise<void> {
    await this.dynamo.stop();
  }
}

/**
 * What a synchronous Invoke answers for a handler run: its result, or, when it throws, still a 200 with
 * FunctionError set and the error as the payload. https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html
 */
export async function invokeAnswer(handler: () => Promise<unknown>): Promise<InvokeCommandOutput> {
  const encode = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  try {
    return { StatusCode: 200, Payload: encode(await handler()), $metadata: {} } as InvokeCommandOutput;
  } catch (err) {
    const e = err as Error;
    return {
      StatusCode: 200,
      FunctionError: "Unhandled",
      Payload: encode({ errorType: e.name, errorMessage: e.message }),
      $metadata: {},
    } as InvokeCommandOutput;
  }
}
