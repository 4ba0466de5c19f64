/**
 * X3: the writer lease is deployed. A witness table in a third Region with the lease item; a non-VPC lease
 * reader per order Region that may read it; the processor that may invoke only its own Region's reader;
 * the orchestrator that may move the lease. Every env key comes from lambda/shared/writer-lease.ts.
 */
import { FAILOVER_ENV } from "../../lambda/failover/env-keys";
import {
  ORCHESTRATOR_LEASE_ENV,
  PROCESSOR_LEASE_ENV,
  READER_LEASE_ENV,
  WRITER_LEASE_ENV as K,
} from "../../lambda/shared/writer-lease";
import { checkWriterWitnessArgs, type WriterWitnessArgs } from "../../lib/data/writer-witness";
import { ProgramRun, runProgram } from "../program";

const TABLE = "aws:dynamodb/table:Table";
const FN = "aws:lambda/function:Function";
const POLICY = "aws:iam/rolePolicy:RolePolicy";

let run: ProgramRun;
let off: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
  off = await runProgram({ writerLease: "false" });
}, 120_000);

const envOf = (r: ProgramRun, name: string) =>
  (r.named(FN, name).inputs.environment as { variables: Record<string, string> }).variables;
type Stmt = { Sid: string; Action: string | string[]; Resource: unknown };
const statementsOf = (r: ProgramRun, fn: string) =>
  (JSON.parse(String(r.named(POLICY, `${fn}-policy`).inputs.policy)) as { Statement: Stmt[] }).Statement;
const work = (r: ProgramRun, fn: string) =>
  statementsOf(r, fn).filter((s) => !["WriteOwnLogs", "Tracing"].includes(s.Sid) && !s.Sid.startsWith("Vpc"));

const reader = (role: string) => `tap-dev-${role}-service-processor-lease-reader-fn`;
const processor = (role: string) => `tap-dev-${role}-service-processor-fn`;
const witnessTable = () => run.named(TABLE, "tap-dev-witness-writer-lease");

describe("X3: the witness", () => {
  it("X3: a plain on-demand table in the witness Region (us-east-2), keyed by the lease, with PITR, a CMK there and deletion protection in production", () => {
    const t = witnessTable();
    expect(t.region).toBe("us-east-2");
    expect(t.inputs).toMatchObject({
      billingMode: "PAY_PER_REQUEST",
      hashKey: "lease",
      attributes: [{ name: "lease", type: "S" }],
      pointInTimeRecovery: { enabled: true },
      deletionProtectionEnabled: false,
    });
    expect(t.inputs.replicas ?? []).toEqual([]); // not a global table: consistency holds in one Region only
    const sse = t.inputs.serverSideEncryption as { enabled: boolean; kmsKeyArn: string };
    expect(sse.enabled).toBe(true);
    const key = run.of("aws:kms/key:Key").find((k) => k.region === "us-east-2");
    expect(key?.name).toBe("tap-dev-witness-key-key");
    expect(run.of(TABLE).filter((x) => x.region === "us-east-2")).toHaveLength(1);
  });

  it("X3: tap:writerLease false deploys no witness, no reader and no lease env anywhere", () => {
    expect(off.of(TABLE).map((t) => t.name)).not.toContain("tap-dev-witness-writer-lease");
    expect(off.of("aws:dynamodb/tableItem:TableItem")).toEqual([]);
    expect(off.of(FN).map((f) => f.name)).not.toContain(reader("primary"));
    for (const fn of [processor("primary"), processor("secondary"), "tap-dev-failover-fn"]) {
      expect(Object.keys(envOf(off, fn)).filter((k) => Object.values(K).includes(k as never))).toEqual([]);
    }
    expect(Object.keys(off.outputs)).not.toContain("witnessTableName");
  });

  it("X3: the stack outputs name the witness for the drill and the runbook", () => {
    expect(run.outputs).toMatchObject({ witnessRegion: "us-east-2", writerLeaseMs: 30_000 });
    expect(run.outputs.witnessTableName).toBe(witnessTable().state.name ?? witnessTable().id);
  });
});

describe("X3: the lease reader", () => {
  it.each(["primary", "secondary"])(
    "X3: the %s Region's reader is not in a VPC and names the witness table and Region",
    (role) => {
      const fn = run.named(FN, reader(role));
      expect(fn.region).toBe(role === "primary" ? "us-east-1" : "us-west-2");
      expect(fn.inputs.vpcConfig).toBeUndefined();
      const env = envOf(run, reader(role));
      expect(Object.keys(env).sort()).toEqual(Object.values(READER_LEASE_ENV).sort());
      expect(env[K.region]).toBe("us-east-2");
      expect(env[K.table]).toBe(run.outputs.witnessTableName);
    },
  );

  it("X3: the reader may GetItem on the witness table and decrypt with its key, nothing else", () => {
    const s = work(run, reader("primary"));
    expect(s.map((x) => [x.Sid, x.Action])).toEqual([
      ["ReadWriterLease", "dynamodb:GetItem"],
      ["DecryptWriterLease", "kms:Decrypt"],
    ]);
    expect(witnessTable().state.arn).toMatch(
      /^arn:aws:dynamodb:us-east-2:\d{12}:table\/tap-dev-witness-writer-lease/,
    );
    expect(s[0].Resource).toBe(witnessTable().state.arn);
  });
});

describe("X3: the processor and the orchestrator", () => {
  it.each(["primary", "secondary"])(
    "X3: the %s processor names its own Region's reader and the lease, and may invoke only that reader",
    (role) => {
      const env = envOf(run, processor(role));
      const own = run.named(FN, reader(role));
      expect(own.state.arn).toMatch(
        new RegExp(`^arn:aws:lambda:${own.region}:\\d{12}:function:${reader(role)}`),
      );
      expect(env[PROCESSOR_LEASE_ENV.reader]).toBe(own.state.name ?? own.id);
      expect(env[PROCESSOR_LEASE_ENV.leaseMs]).toBe("30000");
      expect(env[K.table]).toBeUndefined(); // it could not reach the witness itself
      const invoke = work(run, processor(role)).filter((x) =>
        [x.Action].flat().includes("lambda:InvokeFunction"),
      );
      expect(invoke).toEqual([
        {
          Sid: "ConfirmWriterLease",
          Effect: "Allow",
          Action: "lambda:InvokeFunction",
          Resource: own.state.arn,
        },
      ]);
    },
  );

  it("X3: the orchestrator names the witness and may move the lease", () => {
    const env = envOf(run, "tap-dev-failover-fn");
    expect(env[ORCHESTRATOR_LEASE_ENV.table]).toBe(run.outputs.witnessTableName);
    expect(env[ORCHESTRATOR_LEASE_ENV.region]).toBe("us-east-2");
    expect(env[ORCHESTRATOR_LEASE_ENV.leaseMs]).toBe("30000");
    expect(env[FAILOVER_ENV.globalClusterId]).toBeDefined();
    const move = work(run, "tap-dev-failover-fn").filter((x) => x.Sid.includes("WriterLease"));
    expect(move.map((x) => [x.Sid, x.Action, x.Resource])).toEqual([
      ["MoveWriterLease", ["dynamodb:UpdateItem", "dynamodb:GetItem"], witnessTable().state.arn],
      ["EncryptWriterLease", ["kms:Decrypt", "kms:GenerateDataKey"], expect.stringContaining(":us-east-2:")],
    ]);
  });

  it("X3: each processor's lease refusals alarm in its own Region", () => {
    const alarms = run
      .of("aws:cloudwatch/metricAlarm:MetricAlarm")
      .filter((a) => a.inputs.metricName === "LeaseRefusals");
    expect(alarms.map((a) => [a.name, a.region, a.inputs.period, a.inputs.threshold])).toEqual([
      ["tap-dev-primary-service-processor-lease-refusals", "us-east-1", 300, 0],
      ["tap-dev-secondary-service-processor-lease-refusals", "us-west-2", 300, 0],
    ]);
  });
});

describe("X3: checkWriterWitnessArgs", () => {
  const args = {
    region: "us-east-2",
    orderRegions: ["us-east-1", "us-west-2"],
  } as unknown as WriterWitnessArgs;
  it("X3: the witness must be a third Region", () => {
    expect(() => checkWriterWitnessArgs(args)).not.toThrow();
    expect(() => checkWriterWitnessArgs({ ...args, region: "us-west-2" })).toThrow(
      "WriterWitness: the witness Region us-west-2 is an order Region; it needs a third",
    );
  });
  it("X3: a lease too short for the ledger's query timeout, or too long for a failover's budget, is refused", () => {
    expect(() => checkWriterWitnessArgs({ ...args, leaseMs: 10_000 })).not.toThrow();
    expect(() => checkWriterWitnessArgs({ ...args, leaseMs: 9_000 })).toThrow("leaseMs 9000 must be");
    expect(() => checkWriterWitnessArgs({ ...args, leaseMs: 120_001 })).toThrow("leaseMs 120001 must be");
  });
});
