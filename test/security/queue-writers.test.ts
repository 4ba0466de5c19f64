/**
 * S4: only the intended writers can send to the order queues. The program's own queue, key and role
 * policies are evaluated with a maintained IAM policy evaluator (@cloud-copilot/iam-simulate, AGPL-3.0,
 * a devDependency used by tests only), for an allowed writer, forbidden principals of the same account and
 * the DLQ redrive path (a message move task needs StartMessageMoveTask, ReceiveMessage, DeleteMessage and
 * GetQueueAttributes on the DLQ and SendMessage on the destination, as its caller:
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-configure-dead-letter-queue-redrive.html).
 *
 * The evaluator reads the request context it is given, as AWS builds it: for an IAM role session
 * aws:PrincipalArn is the role's ARN and aws:PrincipalIsAWSService is false; every call is over TLS unless
 * said otherwise. https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html
 */
import { runSimulation } from "@cloud-copilot/iam-simulate";
import { checkOrderQueueAccessArgs } from "../../lib/orders/queue-writers";
import { ProgramRun, runProgram } from "../program";
import { problemsOf } from "../support/parse-config";

const ACCOUNT = "123456789012";
const ROOT = `arn:aws:iam::${ACCOUNT}:root`;
const OPERATOR = `arn:aws:iam::${ACCOUNT}:role/oncall/tap-redrive`;
/** What an account admin, a CI role or a leaked key with broad rights holds. */
const EVERYTHING = [
  {
    name: "admin",
    policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
  },
];
const SQS_REDRIVE_ACTIONS = [
  "sqs:StartMessageMoveTask",
  "sqs:ListMessageMoveTasks",
  "sqs:GetQueueAttributes",
  "sqs:ReceiveMessage",
  "sqs:DeleteMessage",
];

type Decision = "Allowed" | "ExplicitlyDenied" | "ImplicitlyDenied";

interface Request {
  principal: string;
  identity: { name: string; policy: unknown }[];
  action: string;
  resource: string;
  resourcePolicy: unknown;
  context?: Record<string, string>;
}

async function decide(r: Request): Promise<Decision> {
  const result = await runSimulation(
    {
      request: {
        principal: r.principal,
        action: r.action,
        resource: { resource: r.resource, accountId: ACCOUNT },
        contextVariables: {
          "aws:PrincipalArn": r.principal,
          "aws:PrincipalAccount": ACCOUNT,
          "aws:PrincipalIsAWSService": "false",
          "aws:SecureTransport": "true",
          ...r.context,
        },
      },
      identityPolicies: r.identity,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: r.resourcePolicy,
    },
    {},
  );
  if (result.resultType === "error") throw new Error(JSON.stringify(result.errors));
  return (result as { overallResult: Decision }).overallResult;
}

/** The deployed view of one stack: role ARNs and their inline policies, queue and key ARNs and policies. */
function world(run: ProgramRun) {
  const role = (name: string) => {
    const arn = String(run.named("aws:iam/role:Role", `tap-dev-${name}-role`).state.arn);
    const policy = JSON.parse(
      String(run.named("aws:iam/rolePolicy:RolePolicy", `tap-dev-${name}-policy`).inputs.policy),
    );
    return { arn, identity: [{ name, policy }] };
  };
  const queue = (name: string) => ({
    arn: String(run.named("aws:sqs/queue:Queue", `tap-dev-${name}`).state.arn),
    policy: JSON.parse(
      String(run.named("aws:sqs/queuePolicy:QueuePolicy", `tap-dev-${name}-policy`).inputs.policy),
    ),
  });
  // The key's effective policy is the KeyPolicy OrderQueueAccess puts once the roles exist.
  const key = (role: string) => ({
    arn: String(run.named("aws:kms/key:Key", `tap-dev-${role}-kms-key`).state.arn),
    policy: JSON.parse(
      String(
        run.named("aws:kms/keyPolicy:KeyPolicy", `tap-dev-${role}-service-orders-key-policy`).inputs.policy,
      ),
    ),
  });
  return {
    apiPrimary: role("primary-service-api-sqs"),
    apiSecondary: role("secondary-service-api-sqs"),
    forwarderPrimary: role("primary-service-forwarder-fn"),
    forwarderSecondary: role("secondary-service-forwarder-fn"),
    processorPrimary: role("primary-service-processor-fn"),
    failover: role("failover-fn"),
    queue: queue("primary-service-orders"),
    dlq: queue("primary-service-orders-dlq"),
    rejects: queue("primary-service-orders-rejects"),
    key: key("primary"),
  };
}

type World = ReturnType<typeof world>;
const send = (who: { arn: string; identity: Request["identity"] }, q: { arn: string; policy: unknown }) =>
  decide({
    principal: who.arn,
    identity: who.identity,
    action: "sqs:SendMessage",
    resource: q.arn,
    resourcePolicy: q.policy,
  });

describe("order queue writers, evaluated (S4)", () => {
  let w: World;
  beforeAll(async () => {
    w = world(await runProgram());
  });

  it("S4: the API's integration role, the peer region's forwarder and the failover function may send to the order queue", async () => {
    expect([
      await send(w.apiPrimary, w.queue),
      await send(w.forwarderSecondary, w.queue),
      await send(w.failover, w.queue),
    ]).toEqual(["Allowed", "Allowed", "Allowed"]);
  });

  it("S4/X1: the region's own forwarder may put back in the order queue what it could not send on, and only there", async () => {
    expect([await send(w.forwarderPrimary, w.queue), await send(w.forwarderPrimary, w.dlq)]).toEqual([
      "Allowed",
      "ExplicitlyDenied",
    ]);
  });

  it("S4: principals of the same account with sqs:SendMessage on * cannot send to any order queue", async () => {
    const admin = { arn: `arn:aws:iam::${ACCOUNT}:role/ci-deployer`, identity: EVERYTHING };
    const root = { arn: ROOT, identity: EVERYTHING };
    const decisions = [];
    for (const q of [w.queue, w.dlq, w.rejects]) decisions.push(await send(admin, q), await send(root, q));
    expect(decisions).toEqual(Array(6).fill("ExplicitlyDenied"));
  });

  it("S4: the stack's other roles, even given every right, write only where they are meant to", async () => {
    const broad = (r: { arn: string }) => ({ arn: r.arn, identity: EVERYTHING });
    expect([
      await send(broad(w.forwarderPrimary), w.rejects), // it re-queues to its order queue only (X1)
      await send(broad(w.processorPrimary), w.queue),
      await send(broad(w.apiSecondary), w.queue), // the other region's API has its own queue
      await send(broad(w.apiPrimary), w.rejects),
      await send(broad(w.failover), w.dlq),
    ]).toEqual(Array(5).fill("ExplicitlyDenied"));
    expect(await send(w.processorPrimary, w.rejects)).toBe("Allowed");
  });

  it("S4: through SQS only the order path's roles may use the region's key; other services are unchanged", async () => {
    const viaSqs = { "kms:ViaService": "sqs.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT };
    const use = (who: { arn: string; identity: Request["identity"] }, action: string, context = viaSqs) =>
      decide({
        principal: who.arn,
        identity: who.identity,
        action,
        resource: w.key.arn,
        resourcePolicy: w.key.policy,
        context,
      });
    const admin = { arn: `arn:aws:iam::${ACCOUNT}:role/ci-deployer`, identity: EVERYTHING };
    expect([
      await use(w.apiPrimary, "kms:GenerateDataKey"),
      await use(w.forwarderSecondary, "kms:GenerateDataKey"),
      await use(w.processorPrimary, "kms:Decrypt"),
      await use(w.forwarderPrimary, "kms:Decrypt"),
    ]).toEqual(["Allowed", "Allowed", "Allowed", "Allowed"]);
    expect([await use(admin, "kms:GenerateDataKey"), await use(admin, "kms:Decrypt")]).toEqual([
      "ExplicitlyDenied",
      "ExplicitlyDenied",
    ]);
    const viaSecrets = {
      "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com",
      "kms:CallerAccount": ACCOUNT,
    };
    expect(await use(admin, "kms:Decrypt", viaSecrets)).toBe("Allowed");
  });

  it("S4: an allowed writer is still refused without TLS", async () => {
    expect(
      await decide({
        principal: w.apiPrimary.arn,
        identity: w.apiPrimary.identity,
        action: "sqs:SendMessage",
        resource: w.queue.arn,
        resourcePolicy: w.queue.policy,
        context: { "aws:SecureTransport": "false" },
      }),
    ).toBe("ExplicitlyDenied");
  });

  it("S4: the DLQ redrive still works: the failover function may start and run a message move task back to the queue", async () => {
    const onDlq = [];
    for (const action of SQS_REDRIVE_ACTIONS)
      onDlq.push(
        await decide({
          principal: w.failover.arn,
          identity: w.failover.identity,
          action,
          resource: w.dlq.arn,
          resourcePolicy: w.dlq.policy,
        }),
      );
    expect(onDlq).toEqual(Array(SQS_REDRIVE_ACTIONS.length).fill("Allowed"));
    expect(await send(w.failover, w.queue)).toBe("Allowed");
    // The DLQ and the queue share the region's key: decrypt what is moved, encrypt it again, through SQS.
    // https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html
    const viaSqs = { "kms:ViaService": "sqs.us-east-1.amazonaws.com", "kms:CallerAccount": ACCOUNT };
    const kms = [];
    for (const action of ["kms:Decrypt", "kms:GenerateDataKey"])
      kms.push(
        await decide({
          principal: w.failover.arn,
          identity: w.failover.identity,
          action,
          resource: w.key.arn,
          resourcePolicy: w.key.policy,
          context: viaSqs,
        }),
      );
    expect(kms).toEqual(["Allowed", "Allowed"]);
  });
});

describe("operators who redrive by hand (S4)", () => {
  it("S4: an operator role named in orderQueueOperatorArns may send to the order queues; others still may not", async () => {
    const w = world(await runProgram({ orderQueueOperatorArns: OPERATOR }));
    const operator = { arn: OPERATOR, identity: EVERYTHING };
    expect([await send(operator, w.queue), await send(operator, w.dlq)]).toEqual([
      "Allowed",
      "ExplicitlyDenied",
    ]);
    expect(
      await send({ arn: `arn:aws:iam::${ACCOUNT}:role/oncall/other`, identity: EVERYTHING }, w.queue),
    ).toBe("ExplicitlyDenied");
  });

  it("S4: orderQueueOperatorArns takes IAM role ARNs only", () => {
    expect(
      problemsOf({ orderQueueOperatorArns: `${OPERATOR}, arn:aws:iam::${ACCOUNT}:user/bob, *` }),
    ).toEqual([
      `orderQueueOperatorArns: arn:aws:iam::${ACCOUNT}:user/bob, * are not IAM role ARNs (arn:aws:iam::<account>:role/<path/name>)`,
    ]);
  });

  it("S4: OrderQueueAccess refuses an order or rejects queue without a writer, or a key without users", () => {
    const q = { url: "u", arn: "a" };
    const base = {
      provider: undefined as never,
      queues: { queue: q, dlq: q, rejects: q },
      key: { keyId: "k", region: "us-east-1" as const, accountId: ACCOUNT },
      keyUsers: ["r"],
    };
    expect(() =>
      checkOrderQueueAccessArgs({ ...base, writers: { queue: ["r"], dlq: [], rejects: ["p"] } }),
    ).not.toThrow();
    expect(() =>
      checkOrderQueueAccessArgs({ ...base, writers: { queue: [], dlq: [], rejects: ["p"] } }),
    ).toThrow("OrderQueueAccess: the order queue needs a writer");
    expect(() =>
      checkOrderQueueAccessArgs({ ...base, writers: { queue: ["r"], dlq: [], rejects: [] } }),
    ).toThrow("OrderQueueAccess: the rejects queue needs a writer");
  });
});

describe("one owner for the order regions' key policies (S4)", () => {
  it("S4: the order regions' keys leave their policy to the KeyPolicy; a metrics-only key keeps its own", async () => {
    const run = await runProgram({ primaryRegion: "eu-west-1", secondaryRegion: "eu-central-1" });
    const keys = run
      .of("aws:kms/key:Key")
      .map((k) => [k.name, k.region, k.ignoreChanges] as const)
      .sort((a, b) => a[0].localeCompare(b[0]));
    expect(keys).toEqual([
      ["tap-dev-metrics-kms-key", "us-east-1", []],
      ["tap-dev-primary-kms-key", "eu-west-1", ["policy"]],
      ["tap-dev-secondary-kms-key", "eu-central-1", ["policy"]],
      ["tap-dev-witness-key-key", "us-east-2", []], // X3's witness: no queue uses it, its own policy
    ]);
    const policies = run.of("aws:kms/keyPolicy:KeyPolicy").map((p) => [p.name, p.region, p.inputs.keyId]);
    const keyId = (name: string) => run.named("aws:kms/key:Key", name).state.keyId;
    expect(policies.sort()).toEqual([
      ["tap-dev-primary-service-orders-key-policy", "eu-west-1", keyId("tap-dev-primary-kms-key")],
      ["tap-dev-secondary-service-orders-key-policy", "eu-central-1", keyId("tap-dev-secondary-kms-key")],
    ]);
  });
});
