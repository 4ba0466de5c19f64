/**
 * X3: a deployed processor confirms the lease through its Region's lease reader (lambda/lease-reader),
 * invoked synchronously. The invoke here is a fake Lambda that runs the REAL reader handler against a
 * witness table in dynalite, and answers the way Lambda's Invoke does: a handler that throws is still an
 * HTTP 200, with FunctionError set and the error as the payload
 * (https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html); throttling (TooManyRequestsException)
 * and a timed-out request throw from send().
 */
import { InvokeCommand, TooManyRequestsException, type InvokeCommandOutput } from "@aws-sdk/client-lambda";
import { createLeaseReaderHandler } from "../../../lambda/lease-reader";
import { moveLease } from "../../../lambda/failover/lease-transfer";
import {
  createLeaseGate,
  LeaseUnconfirmedError,
  NotLeaseHolderError,
} from "../../../lambda/order-processor/lease-gate";
import { invokeLeaseReader } from "../../../lambda/order-processor/lease-source";
import {
  parseLeaseSource,
  trustMs,
  WRITER_LEASE_ENV as K,
  type LeaseReading,
} from "../../../lambda/shared/writer-lease";
import { createWitness } from "../../../gameday/witness-table";
import { invokeAnswer } from "../../../gameday/day-one/writer-lease";
import { startDynamo, type TestDynamo } from "../../../tooling/stores/dynamodb";

let dynamo: TestDynamo;
let n = 0;
const LEASE_MS = 30_000;
const READER = "tap-dev-primary-lease-reader";

beforeAll(async () => {
  dynamo = await startDynamo();
});
afterAll(() => dynamo?.stop());

/** A fresh witness (in "us-east-2") whose lease `holder` holds, and a reader environment naming it. */
async function witness(holder: string): Promise<{ table: string; env: Record<string, string> }> {
  const table = `lease-reader-${++n}`;
  await createWitness(dynamo.client, table, holder);
  return { table, env: { [K.table]: table, [K.region]: "us-east-2" } };
}

/** Lambda's synchronous Invoke of one function, running `handler` in-process. */
function fakeLambda(handler: () => Promise<unknown>, seen: string[] = []) {
  return {
    send: async (command: InvokeCommand): Promise<InvokeCommandOutput> => {
      const name = command.input.FunctionName ?? "";
      seen.push(name);
      if (name !== READER) throw new Error(`ResourceNotFoundException: Function not found: ${name}`);
      return invokeAnswer(handler);
    },
  };
}

const regions: string[] = [];
/** The reader handler over dynalite, remembering which Region it made its client for. */
const reader = (env: Record<string, string>) =>
  createLeaseReaderHandler(env, (region) => {
    regions.push(region);
    return dynamo.doc;
  });

describe("X3: the lease reader", () => {
  it("X3: answers the witness item's holder and epoch, read through a client in the witness Region", async () => {
    const { env, table } = await witness("us-east-1");
    const read = reader(env);
    regions.length = 0;
    await expect(read()).resolves.toEqual<LeaseReading>({ holder: "us-east-1", epoch: 1 });
    await moveLease(
      { settings: { table, region: "us-east-2", leaseMs: LEASE_MS }, ddb: dynamo.doc },
      "us-west-2",
      1,
    );
    await expect(read()).resolves.toEqual<LeaseReading>({ holder: "us-west-2", epoch: 2 });
    expect(regions).toEqual(["us-east-2"]);
  });

  it("X3: a reader without a witness table fails its invoke, and the processor refuses to book", async () => {
    const lambda = fakeLambda(reader({}));
    const gate = createLeaseGate({
      readLease: invokeLeaseReader(lambda, READER),
      leaseMs: LEASE_MS,
      region: "us-east-1",
    });
    const refused = gate();
    await expect(refused).rejects.toThrow(LeaseUnconfirmedError);
    await expect(refused).rejects.toThrow(
      `lease reader ${READER} failed (Unhandled): {"errorType":"Error","errorMessage":"WRITER_LEASE_TABLE is not set: the lease reader has no witness"}`,
    );
  });
});

describe("X3: the processor confirms the lease through the reader", () => {
  it("X3: the holder books through the reader; after the lease moves it stops within a third of the lease", async () => {
    const { env, table } = await witness("us-east-1");
    const seen: string[] = [];
    const lambda = fakeLambda(reader(env), seen);
    let t = 5_000_000;
    const gate = createLeaseGate({
      readLease: invokeLeaseReader(lambda, READER),
      leaseMs: LEASE_MS,
      region: "us-east-1",
      now: () => t,
    });
    await expect(gate()).resolves.toBeUndefined();
    await moveLease(
      { settings: { table, region: "us-east-2", leaseMs: LEASE_MS }, ddb: dynamo.doc },
      "us-west-2",
      t,
    );
    t += trustMs(LEASE_MS) - 1;
    await expect(gate()).resolves.toBeUndefined(); // still trusted: no invoke
    expect(seen).toEqual([READER]);
    t += 1;
    await expect(gate()).rejects.toThrow(NotLeaseHolderError);
    await expect(gate()).rejects.toThrow("the writer lease is held by us-west-2, not us-east-1: not booking");
  });

  it("X3: the trust counts from when the invoke was asked for, not from when it answered", async () => {
    const { env } = await witness("us-east-1");
    let t = 0;
    const calls: string[] = [];
    const slow = fakeLambda(async () => {
      const answer = await reader(env)();
      t += 4_000; // the invoke took 4 s
      return answer;
    }, calls);
    const gate = createLeaseGate({
      readLease: invokeLeaseReader(slow, READER),
      leaseMs: LEASE_MS,
      region: "us-east-1",
      now: () => t,
    });
    await gate();
    t = trustMs(LEASE_MS) - 1;
    await gate();
    expect(calls).toHaveLength(1);
    t = trustMs(LEASE_MS); // a trust counted from the answer would last 4 s more
    await gate();
    expect(calls).toHaveLength(2);
  });

  it("X3: throttling, a timed-out invoke and an answer that is not a reading all refuse the booking", async () => {
    const throttled = {
      send: () =>
        Promise.reject(
          new TooManyRequestsException({
            message: "Rate Exceeded.",
            $metadata: {},
            Reason: "ConcurrentInvocationLimitExceeded",
          }),
        ),
    };
    const timedOut = {
      send: () => Promise.reject(Object.assign(new Error("Request timed out"), { name: "TimeoutError" })),
    };
    const garbage = fakeLambda(async () => ({ holder: 42 }));
    const refusal = (lambda: { send: (c: InvokeCommand) => Promise<InvokeCommandOutput> }) =>
      createLeaseGate({
        readLease: invokeLeaseReader(lambda, READER),
        leaseMs: LEASE_MS,
        region: "us-east-1",
      })().catch((err: Error) => [err.name, err.message]);
    expect(await refusal(throttled)).toEqual([
      "LeaseUnconfirmedError",
      "the writer lease could not be confirmed for us-east-1 (Rate Exceeded.): not booking",
    ]);
    expect(await refusal(timedOut)).toEqual([
      "LeaseUnconfirmedError",
      "the writer lease could not be confirmed for us-east-1 (Request timed out): not booking",
    ]);
    expect(await refusal(garbage)).toEqual([
      "LeaseUnconfirmedError",
      `the writer lease could not be confirmed for us-east-1 (lease reader ${READER} answered {"holder":42}, not {holder, epoch}): not booking`,
    ]);
  });
});

describe("X3: the processor's lease source", () => {
  it("X3: a deployed processor names its reader; the game day names the table; both at once is refused", () => {
    expect(parseLeaseSource({ [K.reader]: READER, [K.leaseMs]: "30000" })).toEqual({
      kind: "reader",
      functionName: READER,
      leaseMs: 30_000,
    });
    expect(parseLeaseSource({ [K.table]: "t", [K.region]: "us-east-2" })).toEqual({
      kind: "witness",
      settings: { table: "t", region: "us-east-2", leaseMs: 30_000 },
    });
    expect(parseLeaseSource({})).toBeUndefined();
    expect(() => parseLeaseSource({ [K.reader]: READER, [K.table]: "t", [K.region]: "us-east-2" })).toThrow(
      "set WRITER_LEASE_READER or WRITER_LEASE_TABLE, not both",
    );
    expect(() => parseLeaseSource({ [K.reader]: READER, [K.leaseMs]: "99" })).toThrow(
      'WRITER_LEASE_MS: expected an integer from 300 to 300000, got "99"',
    );
  });
});
