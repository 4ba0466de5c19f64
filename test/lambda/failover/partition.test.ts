/**
 * X2: a partition is not an outage. The secondary cannot tell the two apart by itself; Route 53's checkers
 * in several Regions can. Against the per-Region fakes (fakes.ts): the primary's RDS endpoint does not
 * answer from the secondary (downRegions), whatever the checkers see.
 */
import { FailoverGlobalClusterCommand } from "@aws-sdk/client-rds";
import {
  checkersFromStatus,
  judgeCheckers,
  type CheckerObservation,
} from "../../../lambda/failover/evidence";
import type { FailoverRequest } from "../../../lambda/failover/events";
import { runFailover } from "../../../lambda/failover/orchestrator";
import { FakeGlobalCluster, harness, PRIMARY_REGION, settings, type Harness } from "./fakes";

const alarm: FailoverRequest = {
  mode: "failover",
  dryRun: false,
  trigger: "alarm",
  reason: "CloudWatch alarm tap-primary-health is ALARM",
};
const CHECKER_REGIONS = ["us-east-1", "us-west-1", "eu-west-1", "ap-southeast-1", "sa-east-1"];
const checkers = (healthy: (region: string, i: number) => boolean): CheckerObservation[] =>
  CHECKER_REGIONS.flatMap((region) => [0, 1, 2].map((i) => ({ region, healthy: healthy(region, i) })));

let h: Harness;
afterEach(() => h?.restore());

/** The primary's RDS endpoint does not answer from the secondary; Route 53's checkers report `seen`. */
function partitioned(seen: CheckerObservation[] | Error | undefined): Harness {
  h = harness(new FakeGlobalCluster(1));
  h.fake.downRegions.add(PRIMARY_REGION);
  if (seen !== undefined)
    (h.deps as { primaryCheckers?: () => Promise<CheckerObservation[]> }).primaryCheckers = async () => {
      if (seen instanceof Error) throw seen;
      return seen;
    };
  return h;
}

describe("X2: the failover decision needs independent evidence", () => {
  it("X2: the primary unreadable from the secondary while Route 53's checkers see it healthy: refused as a partition, nothing promoted", async () => {
    partitioned(checkers(() => true));
    const result = await runFailover(alarm, settings({ maxAttempts: 1 }), h.deps);
    expect(result).toMatchObject({ ok: false, result: "refused" });
    expect(result.message).toMatch(/a partition is not an outage: .*15\/15 Route 53 checkers report healthy/);
    expect(h.rdsMock.commandCalls(FailoverGlobalClusterCommand)).toHaveLength(0);
  });

  it("X2: checkers failing from several Regions are the evidence: the failover goes ahead and records why", async () => {
    partitioned(checkers(() => false));
    const result = await runFailover(alarm, settings({ maxAttempts: 1 }), h.deps);
    expect(result).toMatchObject({ ok: true, result: "completed" });
    expect(result.preconditions).toContain(
      "independent evidence: 0/15 Route 53 checkers report healthy; failing from ap-southeast-1, eu-west-1, sa-east-1, us-east-1, us-west-1",
    );
  });

  it("X2: without readable evidence an alarm never fails over; a person (direct run) still may", async () => {
    partitioned(new Error("Route 53 API timed out"));
    const auto = await runFailover(alarm, settings({ maxAttempts: 1 }), h.deps);
    expect(auto).toMatchObject({ ok: false, result: "refused" });
    expect(auto.message).toMatch(
      /no independent evidence of an outage \(Route 53 health check status unreadable/,
    );
    h.restore();

    partitioned(undefined);
    const person = await runFailover(
      { ...alarm, trigger: "direct", requestedBy: "ops" },
      settings({ maxAttempts: 1 }),
      h.deps,
    );
    expect(person).toMatchObject({ ok: true, result: "completed" });
    expect(person.preconditions).toContain("independent evidence: no Route 53 health check configured");
  });

  it("X2: Route 53's rule: healthy above 18% of checkers; an outage also needs failures from two Regions", () => {
    const seen = (healthyCount: number, regions = CHECKER_REGIONS) =>
      judgeCheckers(
        Array.from({ length: 16 }, (_, i) => ({
          region: regions[i % regions.length],
          healthy: i < healthyCount,
        })),
      ).outage;
    expect(seen(3)).toBe(false); // 3/16 = 18.75% healthy
    expect(seen(2)).toBe(true); // 12.5%
    expect(seen(0, ["eu-west-1"])).toBeUndefined(); // one vantage point is never enough
    expect(judgeCheckers([]).outage).toBeUndefined();
    expect(
      checkersFromStatus({
        HealthCheckObservations: [
          { Region: "eu-west-1", StatusReport: { Status: "Success: HTTP Status Code 200, OK" } },
          { Region: "us-west-1", StatusReport: { Status: "Failure: Connection timed out." } },
        ],
      }),
    ).toEqual([
      { region: "eu-west-1", healthy: true },
      { region: "us-west-1", healthy: false },
    ]);
  });
});
