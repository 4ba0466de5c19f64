/**
 * `npm run gameday`: its verdict and exit code, --help and progress, with the worlds replaced by
 * prepared results (the real runs are in the other files of this folder).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { runGameday, USAGE, type CliIo } from "../../gameday/cli";
import { runDayOne, type DayOneOutcome } from "../../gameday/day-one/scenario";
import { progressLine } from "../../gameday/progress";
import type { ScenarioResult } from "../../gameday/play";
import { EXPECTED_PROMOTIONS } from "../../gameday/report";
import { SCENARIO_IDS } from "../../gameday/scenarios";
import { verdict } from "../../gameday/verdict";
import { runAsUser } from "../plan/as-typed";
import { cleanCounts } from "./counts";
import { runProgram } from "../program";

/** A run that kept every promise, as scenario `id` reports it. */
function passing(
  id: string,
  over: Partial<ScenarioResult["counts"]> = {},
  more: Partial<ScenarioResult> = {},
) {
  const promotions = EXPECTED_PROMOTIONS[id];
  const result: ScenarioResult = {
    id,
    title: id,
    counts: cleanCounts(over),
    recoveryMs: promotions ? 500 : undefined,
    oldWriterFenced: promotions ? true : undefined,
    promotions,
    bookedOnOldWriter: 0,
    writerRegion: "us-west-2",
    failoverResults: promotions ? ["completed"] : [],
    recoveredByReconcile: 0,
    durationMs: 1_000,
    notes: [],
    ...more,
  };
  return result;
}

/** A healthy day one of `stack`, as runDayOne reports it. */
const healthyDayOne = (stack: string, over: Partial<DayOneOutcome> = {}): DayOneOutcome => ({
  stack,
  checks: 122,
  unhealthyAnswers: 0,
  canaryRuns: 21,
  failedCanaryRuns: 0,
  alarmsRaised: [],
  failoverDeliveries: 0,
  undeliveredNotifications: 0,
  anonymous: { status: stack === "dev" ? 403 : 401, queued: false },
  client: { status: 202, queued: true },
  ...over,
});

/** The CLI with `results` standing in for the worlds; what it printed and returned. */
async function cli(
  argv: string[],
  results: (id: string) => ScenarioResult = (id) => passing(id),
  dayOne: DayOneOutcome[] = [healthyDayOne("dev"), healthyDayOne("prod")],
) {
  const out: string[] = [];
  const err: string[] = [];
  let t = 0;
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    now: () => (t += 1_000),
    runDayOne: async () => dayOne,
    runAll: async (jobs, opts) =>
      jobs.map((j) => {
        const r = results(j.id);
        opts.onResult?.(r, j.run);
        return r;
      }),
  };
  const code = await runGameday(argv, io);
  return { code, out, err };
}

describe("O4: npm run gameday says whether the game day passed", () => {
  it("exits 0 when every run keeps its promises, and says so", async () => {
    const r = await cli([]);
    expect(r.code).toBe(0);
    expect(r.err).toEqual([`game day passed: all ${SCENARIO_IDS.length} run(s) kept every promise`]);
  });

  it("exits 1 when one run books an order twice, naming the run and the problem", async () => {
    const r = await cli(["--runs", "2"], (id) =>
      passing(id, id === "1-switchover" ? { bookedTwice: 2 } : {}),
    );
    expect(r.code).toBe(1);
    expect(r.err.filter((l) => !l.startsWith("progress:"))).toEqual([
      "FAILED run 1 1-switchover: 2 order(s) booked twice",
      "FAILED run 2 1-switchover: 2 order(s) booked twice",
      `game day FAILED: 2 of ${2 * SCENARIO_IDS.length} run(s) broke a promise`,
    ]);
  });

  it("--json carries the failed runs in the document and still exits 1", async () => {
    const r = await cli(["--json", "--scenario", "6-flapping-health"], (id) =>
      passing(id, {}, { promotions: 1 }),
    );
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out.join("\n")).failed).toEqual([
      "FAILED run 1 6-flapping-health: 1 promotion(s), expected 0",
    ]);
  });

  it("--help prints the usage and runs nothing; bad arguments exit 2 with every problem and the usage", async () => {
    expect(await cli(["--help"])).toEqual({ code: 0, out: [USAGE], err: [] });
    const bad = await cli(["--runs", "0", "--x"]);
    expect(bad.code).toBe(2);
    expect(bad.err.join("\n")).toMatch(/^gameday: --runs: .*; --x: unknown argument\nusage: npm run gameday/);
  });

  it("`npm run gameday -- --help` (as a user types it) prints the usage and exits 0", () => {
    const r = runAsUser("npm run --silent gameday -- --help");
    expect({ status: r.status, stdout: r.stdout.trim() }).toEqual({ status: 0, stdout: USAGE });
  }, 120_000);
});

describe("D2: npm run gameday -- --scenario day-one", () => {
  it("D2: runs day one only, a line per stack, and exits 0 when both stacks stay healthy", async () => {
    const r = await cli(["--scenario", "day-one"], () => {
      throw new Error("no other scenario may run");
    });
    expect(r).toEqual({
      code: 0,
      out: [
        "day-one dev  | health 122/122 200 | canary 21/21 passed | alarms none | failover reached 0 | no credentials 403 | client 202",
        "day-one prod | health 122/122 200 | canary 21/21 passed | alarms none | failover reached 0 | no credentials 401 | client 202",
      ],
      err: ["day one passed: 2 stack(s) healthy for 30 minutes"],
    });
  });

  it("D2: exits 1 naming the stack and each broken promise (an alarm reaching the failover function, notifications refused, an anonymous order queued)", async () => {
    const r = await cli(["--scenario", "day-one"], undefined, [
      healthyDayOne("dev", {
        alarmsRaised: ["tap-dev-primary-health"],
        failoverDeliveries: 1,
        undeliveredNotifications: 2,
        anonymous: { status: 202, queued: true },
      }),
      healthyDayOne("prod"),
    ]);
    expect(r.code).toBe(1);
    expect(r.err).toEqual([
      "day-one dev: alarms raised: tap-dev-primary-health",
      "day-one dev: the failover function was reached 1 time(s)",
      "day-one dev: 2 alarm notification(s) refused by a topic or key policy",
      "day-one dev: an order without credentials got 202 and was queued",
      "day one FAILED: 1 of 2 stack(s) broke a promise",
    ]);
  });

  it("D2: runs with the other scenarios when named with them, and fails the whole run when day one fails", async () => {
    const r = await cli(["--scenario", "day-one", "--scenario", "1-switchover"], undefined, [
      healthyDayOne("dev", { failedCanaryRuns: 21 }),
    ]);
    expect(r.code).toBe(1);
    expect(r.out[1]).toMatch(/^run 1 1-switchover /);
    expect(r.err).toContain("day-one dev: 21 of 21 canary runs failed");
  });

  describe("the dev stack's real day-one world, as the CLI runs it", () => {
    let outcome: DayOneOutcome;
    beforeAll(async () => {
      outcome = await runDayOne("dev", (await runProgram()).resources);
    }, 120_000);

    it("D2: 30 minutes: every check 200, every canary run passes, no alarm, the failover function never reached, no credentials 403", () => {
      expect({ ...outcome, client: undefined }).toEqual({
        ...healthyDayOne("dev"),
        client: undefined,
      });
    });

    it("D3: a client's signed order is accepted and queued", () => {
      expect(outcome.client).toEqual({ status: 202, queued: true });
    });
  });
});

describe("O4: npm run gameday -- --runs N shows its progress", () => {
  it("as a user types it: two real runs of one scenario print progress and the verdict, and exit 0", () => {
    const r = runAsUser("npm run --silent gameday -- --ci --scenario 7-standby-region-fails --runs 2");
    expect({ status: r.status, stderr: r.status === 0 ? "" : r.stderr }).toEqual({ status: 0, stderr: "" });
    expect(
      r.stdout.match(/^run [12] 7-standby-region-fails +\| .*\| orchestrator \[not-invoked\]$/gm),
    ).toHaveLength(2);
    expect(r.stderr).toMatch(/^progress: 1\/2 runs, \dm\d\ds elapsed, about \dm\d\ds left$/m);
    expect(r.stderr).toMatch(/^progress: 2\/2 runs, \dm\d\ds elapsed$/m);
    expect(r.stderr.trimEnd().split("\n").at(-1)).toBe("game day passed: all 2 run(s) kept every promise");
  }, 120_000);

  it("a progress line per finished run on stderr, with the time left", async () => {
    const r = await cli(["--runs", "2", "--scenario", "1-switchover", "--scenario", "2-failover-caught-up"]);
    expect(r.err.filter((l) => l.startsWith("progress:"))).toEqual([
      "progress: 1/4 runs, 0m01s elapsed, about 0m03s left",
      "progress: 2/4 runs, 0m02s elapsed, about 0m02s left",
      "progress: 3/4 runs, 0m03s elapsed, about 0m01s left",
      "progress: 4/4 runs, 0m04s elapsed",
    ]);
  });

  it("the progress line docs/gameday.md shows is the one the game day prints", () => {
    const doc = readFileSync(path.join(__dirname, "..", "..", "docs", "gameday.md"), "utf8");
    expect(doc).toContain(`(\`${progressLine(12, 140, 370_000)}\`)`);
  });

  it("one run of each scenario prints its run lines only (they are the progress)", async () => {
    const r = await cli([]);
    expect(r.err.filter((l) => l.startsWith("progress:"))).toEqual([]);
    expect(r.out.filter((l) => l.startsWith("run 1 "))).toHaveLength(SCENARIO_IDS.length);
  });
});

describe("G1: the game day's verdict on one run", () => {
  it("every scenario has its expected promotions", () => {
    expect(Object.keys(EXPECTED_PROMOTIONS).sort()).toEqual([...SCENARIO_IDS].sort());
  });

  it.each([
    [
      "a lost order outside the RPO window",
      passing("2-failover-caught-up", { lost: 1 }),
      "1 acknowledged order(s) lost",
    ],
    ["an order left in a DLQ", passing("1-switchover", { leftInDlq: 3 }), "3 order(s) left in a DLQ"],
    ["a missing promotion", passing("1-switchover", {}, { promotions: 0 }), "0 promotion(s), expected 1"],
    [
      "an unfenced old writer",
      passing("1-switchover", {}, { oldWriterFenced: false }),
      "the old writer was not fenced",
    ],
    [
      "a failed orchestrator run",
      passing("5-two-triggers", {}, { failoverResults: ["failed", "completed"] }),
      "an orchestrator run failed",
    ],
    [
      "an RPO-window loss not held in the down Region",
      passing("3-failover-rpo-window", {
        lost: 4,
        lostInNeitherStore: ["a", "b", "c", "d"],
        heldInDownRegion: 3,
      }),
      "1 lost order(s) are not held in the down Region's queue",
    ],
    [
      "an RPO-window loss DynamoDB still holds",
      passing("3-failover-rpo-window", { lost: 2, lostButInDynamo: 2, heldInDownRegion: 2 }),
      "2 lost order(s) DynamoDB holds were not reconciled",
    ],
  ])("fails %s", (_what, result, problem) => {
    expect(verdict(result)).toEqual({ id: result.id, passed: false, problems: [problem] });
  });

  it("passes an RPO-window loss whose every order still waits in the down Region's queue", () => {
    const r = passing("3-failover-rpo-window", {
      lost: 2,
      lostInNeitherStore: ["a", "b"],
      heldInDownRegion: 2,
    });
    expect(verdict(r)).toEqual({ id: r.id, passed: true, problems: [] });
  });
});
