/**
 * Proof that the day-one world bites: each deliberate break of the program's wiring, applied to the
 * recorded resources the world is built from, fails the day-one scenario where AWS would.
 */
import { DayOneWorld, type DayOneReport } from "../../gameday/day-one/world";
import type { RecordedResource } from "../../tooling/mocks/recorded";
import { runProgram } from "../program";
import { broken, CLIENT, editStatement, named, order, signedBy } from "./day-one-support";

const FN = "aws:lambda/function:Function";
const POLICY = "aws:iam/rolePolicy:RolePolicy";
const HEALTH_FN = "tap-dev-primary-service-api-health";
const HEALTH_POLICY = `${HEALTH_FN}-policy`;

let resources: RecordedResource[];
beforeAll(async () => {
  resources = (await runProgram()).resources;
});

/** Builds the world from `broken`, runs it for `minutes`, and stops it. */
async function dayOne(
  changed: RecordedResource[],
  minutes: number,
  then?: (w: DayOneWorld) => Promise<void>,
): Promise<{ report: DayOneReport; world: DayOneWorld }> {
  const world = await DayOneWorld.build(changed, [CLIENT]);
  try {
    const report = await world.run(minutes);
    await then?.(world);
    return { report, world };
  } finally {
    await world.stop();
  }
}

const primaryHealth = (r: DayOneReport) =>
  r.health
    .filter((h) => h.fqdn.includes("us-east-1"))
    .map((h) => JSON.parse(h.body) as { checks: Record<string, { error?: string }> });
const alarmed = (r: DayOneReport) =>
  r.alarmChanges.filter((c) => c.to === "ALARM").map((c) => c.alarm.replace(/-[0-9a-f]{7}$/, ""));
const failoverGot = (r: DayOneReport) =>
  r.delivered
    .filter((d) => d.bundle === "failover")
    .map((d) => String(d.message.AlarmName).replace(/-[0-9a-f]{7}$/, ""));

describe("day one, deliberately broken (dev)", () => {
  it("D3: the Lambda endpoint removed from the primary VPC: the role check hangs until its budget, /health answers 503, the primary health alarm fires and reaches the failover function", async () => {
    const changed = broken(
      resources,
      (r) =>
        r.type === "aws:ec2/vpcEndpoint:VpcEndpoint" &&
        r.inputs.serviceName === "com.amazonaws.us-east-1.lambda",
      () => "remove",
    );
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

  it("D3: POST /orders made anonymous: anonymous orders are queued, the canaries fail, and the probe alarm reaches the failover function", async () => {
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
    expect(alarmed(report)).toEqual(
      expect.arrayContaining([
        "tap-dev-primary-service-canary-success",
        "tap-dev-secondary-service-probe-success",
      ]),
    );
    expect(failoverGot(report)).toEqual(["tap-dev-secondary-service-probe-success"]);
  }, 120_000);

  it("D3: the primary key policy drops SQS from kms:ViaService: a signed order gets the integration's 503 and nothing is queued", async () => {
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
      const host = world.model.apis.find((a) => a.region === "us-east-1")!.host;
      const r = await world.request(host, {
        method: "POST",
        path: "/v1/orders",
        headers: signedBy(CLIENT),
        body: order("kms-1"),
      });
      expect(r.status).toBe(503);
      expect(JSON.parse(r.body)).toMatchObject({ error: "order intake unavailable, retry" });
      expect(world.queued).toEqual([]);
      expect(world.calls.filter((c) => c.outcome === "denied").map((c) => c.action)).toEqual([
        "kms:GenerateDataKey",
      ]);
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
