/** B3: the DR budget is computed from what is declared, traced to its source, and checked against targets. */
import {
  AWS_FIGURES,
  BUDGET_SOURCES,
  computeDrBudget,
  DrBudget,
  NOT_DECLARED,
} from "../../tooling/plan/dr-budget";
import { PlanResource } from "../../tooling/plan/model";
import { buildReport } from "../../tooling/plan/report";
import { planStack, PlannedStack } from "./helpers";

const term = (b: DrBudget, id: string) => {
  const t = b.rto.terms.find((x) => x.id === id);
  if (!t) throw new Error(`no term ${id}`);
  return t;
};
const rpo = (b: DrBudget, store: string) => b.rpo.find((r) => r.store === store)!;
const without = (rs: PlanResource[], s: { type: string; suffix: string }) =>
  rs.filter((r) => !(r.type === s.type && r.name.endsWith(s.suffix)));
const patched = (r: PlanResource, inputs: Record<string, unknown>): PlanResource => ({
  ...r,
  inputs: { ...r.inputs, ...inputs },
});

let dev: PlannedStack;
let budget: DrBudget;
beforeAll(async () => {
  dev = await planStack("dev");
  budget = computeDrBudget(dev.resources, dev.config);
});

describe("default dev stack", () => {
  it("F5: with alarmFailoverAction=notify (default) a person's decision is on the critical path: inside the 900 s default target, over 300 s", () => {
    expect(budget.rto.assumedAction).toBe("notify");
    expect(term(budget, "decision")).toMatchObject({
      label: "a person decides (alarmFailoverAction=notify)",
      seconds: 300,
      source: "config tap:decisionSeconds",
    });
    expect(budget.rto.targetSeconds).toBe(900);
    expect(budget.rto.ok).toBe(true);
    expect(budget.rto.seconds).toBeGreaterThan(300);
  });

  it("X2: the automatic decision counts the one Route 53 checker read the decision rule makes, and names the rule", async () => {
    const auto = await planStack("dev", { alarmFailoverAction: "failover" });
    const decision = term(computeDrBudget(auto.resources, auto.config), "decision");
    expect(decision.formula).toBe("0 s + 5 s (Route 53 checker read, at most)");
    expect(decision.source).toMatch(/Route 53 checkers failing in >= 2 Regions/);
  });

  it("F5: automatic failover with 10 s checks keeps every target, so the plan passes", async () => {
    const auto = await planStack("dev", {
      alarmFailoverAction: "failover",
      healthCheckIntervalSeconds: "10",
    });
    const b = computeDrBudget(auto.resources, auto.config);
    expect(term(b, "decision")).toMatchObject({
      label: "automatic (alarmFailoverAction=failover), on independent evidence",
      seconds: 5,
    });
    expect(b.ok).toBe(true);
    const report = await buildReport({
      project: "tap",
      stack: "dev",
      resources: auto.resources,
      outputs: {},
      config: auto.config,
    });
    expect(report.failures).toEqual([]);
    expect(report.ok).toBe(true);
  });

  it("X3: the wait for the writer lease counts once a witness is declared: 33 s on the promotion path, the deployed witness named", () => {
    expect(term(budget, "recovery.fencing")).toMatchObject({ seconds: 33, formula: "33 s" });
    expect(term(budget, "recovery.fencing").source).toContain("tap-dev-witness-writer-lease");
    const unfenced = computeDrBudget(without(dev.resources, BUDGET_SOURCES.writerLease), dev.config);
    expect(term(unfenced, "recovery.fencing")).toMatchObject({ seconds: 0, formula: "0 s" });
    expect(budget.rto.seconds).toBe(unfenced.rto.seconds + 33);
  });

  it("F4/F5: the alarm term counts M bad periods (datapointsToAlarm) and the post-promotion steps have their own figures", () => {
    expect(term(budget, "detection.alarm")).toMatchObject({ seconds: 120, formula: "60 s × 2" });
    expect(term(budget, "recovery.noticePromotion").seconds).toBe(15);
    expect(term(budget, "recovery.followWriter")).toMatchObject({
      seconds: AWS_FIGURES.mappingResume.seconds,
    });
  });

  it("adds up: health check + max(alarm + decision + promotion, propagation + TTL)", () => {
    const s = (id: string) => term(budget, id).seconds;
    expect(budget.rto.seconds).toBe(
      s("detection.healthCheck") +
        Math.max(
          s("detection.alarm") +
            s("decision") +
            s("recovery.fencing") +
            s("recovery.auroraPromotion") +
            s("recovery.noticePromotion") +
            s("recovery.followWriter"),
          s("dns.propagation") + s("dns.ttl"),
        ),
    );
    expect(budget.rto.targetSeconds).toBe(900);
    expect(s("decision")).toBe(dev.config.decisionSeconds);
    expect(s("recovery.auroraPromotion")).toBe(AWS_FIGURES.auroraPromotion.seconds);
    expect(term(budget, "recovery.auroraPromotion").source).toContain(AWS_FIGURES.auroraPromotion.url);
  });

  it("reads the health check, its alarm and the RTC minutes from the declared resources", () => {
    const hc = dev.resources.find(
      (r) => r.type === BUDGET_SOURCES.healthCheck.type && r.name.endsWith(BUDGET_SOURCES.healthCheck.suffix),
    );
    expect(hc).toBeDefined();
    const detection = term(budget, "detection.healthCheck");
    expect(detection.source).toContain(hc!.name);
    expect(detection.seconds).toBe(
      (hc!.inputs.requestInterval as number) * (hc!.inputs.failureThreshold as number),
    );
    expect(term(budget, "detection.alarm").source).toContain("-primary-service-health-alarm");
    expect(rpo(budget, "S3 replication").term.source).toContain(
      "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
    );
    expect(rpo(budget, "S3 replication").seconds).toBe(900);
  });

  it("labels config fallbacks when a resource is not declared", () => {
    let rs = without(dev.resources, BUDGET_SOURCES.healthCheck);
    rs = without(rs, BUDGET_SOURCES.healthAlarm);
    const b = computeDrBudget(rs, dev.config);
    const detection = term(b, "detection.healthCheck");
    expect(detection.source.startsWith(NOT_DECLARED)).toBe(true);
    expect(detection.source).toContain("tap:healthCheckIntervalSeconds");
    expect(detection.seconds).toBe(
      dev.config.healthCheckIntervalSeconds * dev.config.healthCheckFailureThreshold,
    );
    expect(term(b, "detection.alarm").source).toMatch(/^assumed \(resource not declared/);
    // No hosted zone in dev: the TTL comes from config, and says why.
    expect(term(b, "dns.ttl").source).toMatch(
      /^from config \(no hosted zone configured\): tap:dnsTtlSeconds/,
    );
  });

  it("uses whatever the resource says, not the config", () => {
    const rs = dev.resources.map((r) =>
      r.type === BUDGET_SOURCES.healthCheck.type && r.name.endsWith(BUDGET_SOURCES.healthCheck.suffix)
        ? patched(r, { requestInterval: 10, failureThreshold: 2 })
        : r,
    );
    const b = computeDrBudget(rs, dev.config);
    expect(term(b, "detection.healthCheck").seconds).toBe(20);
    expect(term(b, "dns.propagation").seconds).toBe(10);
  });

  it("fails when S3 replication is slower than the S3 RPO target", () => {
    const rs = dev.resources.map((r) => {
      if (r.type !== BUDGET_SOURCES.replication.type) return r;
      const rules = (r.inputs.rules as Record<string, unknown>[]).map((rule) => ({
        ...rule,
        destination: {
          ...(rule.destination as object),
          replicationTime: { status: "Enabled", time: { minutes: 20 } },
        },
      }));
      return patched(r, { rules });
    });
    const b = computeDrBudget(rs, dev.config);
    expect(rpo(b, "S3 replication").seconds).toBe(1200);
    expect(b.ok).toBe(false);
  });

  it("the default lag alarm fires at the Aurora RPO target, so no lag goes unalarmed", () => {
    expect(budget.warnings).toEqual([]);
  });
});

describe("config changes move the numbers", () => {
  it("a lower RTO target fails the plan", async () => {
    const config = { ...dev.config, targets: { ...dev.config.targets, rtoSeconds: 60 } };
    const report = await buildReport({
      project: "tap",
      stack: "dev",
      resources: dev.resources,
      outputs: {},
      config,
    });
    expect(report.budget.rto.ok).toBe(false);
    expect(report.ok).toBe(false);
    expect(report.failures).toContain(`RTO ${report.budget.rto.seconds} s exceeds the 60 s target`);
  });

  it("a higher failure threshold raises detection time by interval × the difference", async () => {
    const slow = await planStack("dev", { healthCheckFailureThreshold: "5" });
    const b0 = budget;
    const b1 = computeDrBudget(slow.resources, slow.config);
    const interval = dev.config.healthCheckIntervalSeconds;
    expect(term(b1, "detection.healthCheck").seconds - term(b0, "detection.healthCheck").seconds).toBe(
      interval * 2,
    );
    expect(b1.rto.seconds - b0.rto.seconds).toBe(interval * 2);
  });

  it("the failover DNS record's TTL is read from the record once a hosted zone is configured", async () => {
    const s = await planStack("dev", {
      hostedZoneName: "example.com",
      apiDomainName: "api.example.com",
      dnsTtlSeconds: "30",
    });
    const ttl = term(computeDrBudget(s.resources, s.config), "dns.ttl");
    expect(ttl.seconds).toBe(30);
    expect(ttl.source).toMatch(/^aws:route53\/record:Record \S+ \(ttl\)$/);
  });

  it("a lag alarm above the Aurora target is warned about: lag between the two raises no alarm", () => {
    const rs = dev.resources.map((r) =>
      r.type === BUDGET_SOURCES.lagAlarm.type && r.name.endsWith(BUDGET_SOURCES.lagAlarm.suffix)
        ? patched(r, { threshold: 2000 })
        : r,
    );
    expect(computeDrBudget(rs, dev.config).warnings.join("\n")).toMatch(
      /Aurora lag alarm fires above 2000 ms/,
    );
  });
});
