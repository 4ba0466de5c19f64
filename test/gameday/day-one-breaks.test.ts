/**
 * Proof that the day-one world bites: each deliberate break of the program's wiring, applied to the
 * recorded resources the world is built from, fails the day-one scenario where AWS would.
 */
import { DayOneWorld, type DayOneReport } from "../../gameday/day-one/world";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { runProgram } from "../program";
import {
  alarmed,
  broken,
  CLIENT,
  dayOne,
  editStatement,
  named,
  order,
  signedBy,
  withoutEndpoint,
} from "./day-one-support";

const FN = "aws:lambda/function:Function";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const KEY_POLICY = "aws:kms/keyPolicy:KeyPolicy";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const HEALTH_FN = "tap-dev-primary-service-api-health";
const HEALTH_POLICY = `${HEALTH_FN}-policy`;

let resources: RecordedResource[];
beforeAll(async () => {
  resources = (await runProgram()).resources;
});

const primaryHealth = (r: DayOneReport) =>
  r.health
    .filter((h) => h.fqdn.includes("us-east-1"))
    .map((h) => JSON.parse(h.body) as { checks: Record<string, { error?: string }> });
const failoverGot = (r: DayOneReport) =>
  r.delivered
    .filter((d) => d.bundle === "failover")
    .map((d) => String(d.message.AlarmName).replace(/-[0-9a-f]{7}$/, ""));

describe("day one, deliberately broken (dev)", () => {
  it("D3: the Lambda endpoint removed from the primary VPC: the role check hangs until its budget, /health answers 503, the primary health alarm fires and reaches the failover function", async () => {
    const changed = withoutEndpoint(resources, "lambda");
    const { report } = await dayOne(changed, 5);
    expect(primaryHealth(report).map((b) => b.checks.role.error)).toEqual(
      primaryHealth(report).map(() => "timeout"),
    );
    expect(alarmed(report)).toContain("tap-dev-primary-service-health-alarm");
    expect(failoverGot(report)).toContain("tap-dev-primary-service-health-alarm");
  }, 120_000);

  it("D3: the health role's GetEventSourceMapping statement removed: AccessDeniedException, 503, alarm", async () => {
    const changed = broken(resources, named(POLICY, HEALTH_POLICY), (r) =>
      editStatement(r, "ReadRole", () => undefined),
    );
    const { report, world } = await dayOne(changed, 5);
    expect(new Set(primaryHealth(report).map((b) => b.checks.role.error))).toEqual(
      new Set(["AccessDeniedException"]),
    );
    expect(world.calls.filter((c) => c.outcome === "denied").map((c) => c.action)).toContain(
      "lambda:GetEventSourceMapping",
    );
    expect(alarmed(report)).toContain("tap-dev-primary-service-health-alarm");
  }, 120_000);

  it("D3: the health role's DescribeTable narrowed to the wrong region: AccessDeniedException on the table check, 503", async () => {
    const changed = broken(resources, named(POLICY, HEALTH_POLICY), (r) =>
      editStatement(r, "TableActive", (s) => ({
        ...s,
        Resource: String(s.Resource).replace("us-east-1", "us-west-2"),
      })),
    );
    const { report } = await dayOne(changed, 2);
    expect(new Set(primaryHealth(report).map((b) => b.checks.table.error))).toEqual(
      new Set(["AccessDeniedException"]),
    );
    expect(new Set(report.health.filter((h) => h.fqdn.includes("us-east-1")).map((h) => h.status))).toEqual(
      new Set([503]),
    );
  }, 120_000);

  it("D3: the health function's QUEUE_URL renamed: the queue check is not configured, 503", async () => {
    const changed = broken(resources, named(FN, HEALTH_FN), (r) => {
      const env = (r.inputs.environment as { variables: Record<string, string> }).variables;
      env.QUEUE_ADDRESS = env.QUEUE_URL;
      delete env.QUEUE_URL;
    });
    const { report } = await dayOne(changed, 2);
    expect(new Set(primaryHealth(report).map((b) => b.checks.queue.error))).toEqual(
      new Set(["not-configured"]),
    );
  }, 120_000);

  // Since X2 (issue 22) the secondary's probe alerts and never starts a failover (only Route 53's health
  // alarm, from checkers in several Regions, reaches the failover function), and anonymous orders leave
  // /health healthy: the break is seen by both canary alarms and fails nothing over.
  it("D3: POST /orders made anonymous: anonymous orders are queued, the canaries fail, and the probe alarm fires without reaching the failover function", async () => {
    const changed = broken(
      resources,
      named("aws:apigateway/method:Method", "tap-dev-primary-service-api-post-orders"),
      (r) => {
        r.inputs.authorization = "NONE";
      },
    );
    const { report, world } = await dayOne(changed, 11);
    const p = report.canaryRuns.filter((r) => r.canary === "tap-dev-p-cnry");
    expect(p.map((r) => r.passed)).toEqual([false, false, false]);
    expect(p[0].reason).toContain("expected HTTP 403, got 202");
    expect(world.queued.length).toBe(report.canaryRuns.filter((r) => r.canary !== "tap-dev-s-cnry").length);
    // The order queue's writers list (issue 24) does not stop them: API Gateway sends every order as its
    // integration role, which is a writer, whoever called the API. Who may call is the method's business.
    const sends = world.calls.filter((c) => c.action === "sqs:SendMessage");
    expect(sends.length).toBeGreaterThan(0);
    expect(new Set(sends.map((c) => `${c.caller.replace(/-[0-9a-f]{7}$/, "")} ${c.outcome}`))).toEqual(
      new Set(["arn:aws:iam::123456789012:role/tap-dev-primary-service-api-sqs-role ok"]),
    );
    expect(alarmed(report)).toEqual(
      expect.arrayContaining([
        "tap-dev-primary-service-canary-success",
        "tap-dev-secondary-service-probe-success",
      ]),
    );
    const probe = world.model.alarms.find((a) =>
      a.name.startsWith("tap-dev-secondary-service-probe-success"),
    )!;
    expect(probe.alarmActions.length).toBeGreaterThan(0);
    expect(failoverGot(report)).toEqual([]);
    expect(alarmed(report)).not.toContain("tap-dev-primary-service-health-alarm");
  }, 120_000);

  /** A signed order to the primary API, and what came of it. */
  async function signedOrder(world: DayOneWorld, id: string) {
    const host = world.model.apis.find((a) => a.region === "us-east-1")!.host;
    return world.request(host, {
      method: "POST",
      path: "/v1/orders",
      headers: signedBy(CLIENT),
      body: order(id),
    });
  }
  const denied = (w: DayOneWorld) => w.calls.filter((c) => c.outcome === "denied").map((c) => c.action);

  // Since issue 24 the order keys' policy is the KeyPolicy resource's (OrderQueueAccess): the Key keeps
  // its bootstrap policy as an input but ignores changes to it, and the KeyPolicy replaces it on AWS.
  // So the break is made where the effective policy is.
  it("D3: the primary key policy drops SQS from kms:ViaService: a signed order gets the integration's 503 and nothing is queued", async () => {
    const changed = broken(resources, named(KEY_POLICY, "tap-dev-primary-service-orders-key-policy"), (r) =>
      editStatement(r, "UseThroughStackServices", (s) => {
        const c = s.Condition as { StringEquals: Record<string, string[]> };
        const via = c.StringEquals["kms:ViaService"].filter((v) => !v.startsWith("sqs."));
        return { ...s, Condition: { StringEquals: { ...c.StringEquals, "kms:ViaService": via } } };
      }),
    );
    await dayOne(changed, 0, async (world) => {
      const r = await signedOrder(world, "kms-1");
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body)).toMatchObject({ error: "order intake unavailable, retry" });
      expect(world.queued).toEqual([]);
      expect(denied(world)).toEqual(["kms:GenerateDataKey"]);
    });
  }, 120_000);

  it("D3: the same edit to the Key's own, superseded policy changes nothing: the KeyPolicy is the key's policy, and the order is queued", async () => {
    const changed = broken(
      resources,
      (r) => r.type === "aws:kms/key:Key" && r.region === "us-east-1",
      (r) =>
        editStatement(r, "UseThroughStackServices", (s) => {
          const c = s.Condition as { StringEquals: Record<string, string[]> };
          const via = c.StringEquals["kms:ViaService"].filter((v) => !v.startsWith("sqs."));
          return { ...s, Condition: { StringEquals: { ...c.StringEquals, "kms:ViaService": via } } };
        }),
    );
    await dayOne(changed, 0, async (world) => {
      expect((await signedOrder(world, "kms-2")).status).toBe(202);
      expect(world.queued.length).toBe(1);
      expect(denied(world)).toEqual([]);
    });
  }, 120_000);

  it("D3: the API's integration role dropped from the primary order queue's writers: its SendMessage is explicitly denied, 503, nothing queued", async () => {
    const changed = broken(resources, named(QUEUE_POLICY, "tap-dev-primary-service-orders-policy"), (r) =>
      editStatement(r, "OnlyIntendedWritersSend", (s) => {
        const c = s.Condition as { ArnNotEquals: { "aws:PrincipalArn": string[] } };
        const writers = c.ArnNotEquals["aws:PrincipalArn"].filter((a) => !a.includes("-api-sqs-role-"));
        return { ...s, Condition: { ...c, ArnNotEquals: { "aws:PrincipalArn": writers } } };
      }),
    );
    await dayOne(changed, 0, async (world) => {
      const r = await signedOrder(world, "writer-1");
      expect(r.status).toBe(503);
      expect(world.queued).toEqual([]);
      expect(denied(world)).toEqual(["sqs:SendMessage"]);
    });
  }, 120_000);

  it("D3: the API's integration role dropped from the primary key's SQS users: SQS may not get a data key for it, 503, nothing queued", async () => {
    const changed = broken(resources, named(KEY_POLICY, "tap-dev-primary-service-orders-key-policy"), (r) =>
      editStatement(r, "OnlyOrderPathUsesItThroughSqs", (s) => {
        const c = s.Condition as { ArnNotEquals: { "aws:PrincipalArn": string[] } };
        const users = c.ArnNotEquals["aws:PrincipalArn"].filter((a) => !a.includes("-api-sqs-role-"));
        return { ...s, Condition: { ...c, ArnNotEquals: { "aws:PrincipalArn": users } } };
      }),
    );
    await dayOne(changed, 0, async (world) => {
      const r = await signedOrder(world, "keyuser-1");
      expect(r.status).toBe(503);
      expect(world.queued).toEqual([]);
      expect(denied(world)).toEqual(["kms:GenerateDataKey"]);
    });
  }, 120_000);

  it("D3: a canary expecting the wrong refusal status fails every run and its alarm fires", async () => {
    const changed = broken(
      resources,
      named("aws:synthetics/canary:Canary", "tap-dev-primary-service-canary"),
      (r) => {
        (
          r.inputs.runConfig as { environmentVariables: Record<string, string> }
        ).environmentVariables.ANONYMOUS_ORDER_STATUS = "401";
      },
    );
    const { report } = await dayOne(changed, 11);
    const p = report.canaryRuns.filter((r) => r.canary === "tap-dev-p-cnry");
    expect(p.map((r) => r.passed)).toEqual([false, false, false]);
    expect(p[0].reason).toContain("expected HTTP 401, got 403");
    expect(alarmed(report)).toEqual(["tap-dev-primary-service-canary-success"]);
    expect(failoverGot(report)).toEqual([]);
  }, 120_000);
});
