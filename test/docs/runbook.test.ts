/**
 * O3: the runbook states what AWS documents and names the same switches the code reads, so an operator
 * mid-incident is not told something the code or AWS contradicts.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import {
  EVIDENCE_READ_TIMEOUT_MS,
  MIN_FAILING_CHECKER_REGIONS,
  ROUTE53_HEALTHY_SHARE,
} from "../../lambda/failover/evidence";
import { CONVERGE_EVENT, parseEvent } from "../../lambda/failover/events";
import { CONVERGENCE_DEFAULTS } from "../../lib/failover/convergence-config";
import { EXIT, parseArgs } from "../../scripts/drill";
import { INVOKE_DRY_RUN_ENV } from "../integration/checks/failover-function";
import { E2E_ACCOUNT_PREFIX, E2E_ENV } from "../integration/support/e2e";

const runbook = readFileSync(path.join(__dirname, "../../docs/runbook.md"), "utf8");
/** The fenced shell block that contains `needle`. */
const block = (needle: string) =>
  runbook.split("```").find((b) => b.startsWith("sh") && b.includes(needle)) ?? "";

describe("docs/runbook.md", () => {
  it("O2: failover CLI runs in the target's Region with --allow-data-loss; switchover in the current writer's", () => {
    expect(block("failover-global-cluster")).toMatch(
      /failover-global-cluster --region <secondary-region>[\s\S]*--allow-data-loss/,
    );
    expect(block("switchover-global-cluster --region <current-writer-region>")).not.toBe("");
    // Failing back: the writer is then in the secondary Region.
    expect(runbook).toMatch(
      /switchover-global-cluster --region <secondary-region> \\\s+--global-cluster-identifier <id> --target-db-cluster-identifier <original-primary-cluster-arn>/,
    );
  });

  it("O2: managed failover: old primary rejoins by itself; copy the rds:unplanned-global-failover snapshot; rebuild is the fallback", () => {
    expect(runbook).toMatch(
      /adds the old primary cluster back to the global database as\s+a secondary by itself/,
    );
    expect(runbook).toMatch(/rds:unplanned-global-failover-/);
    expect(runbook).toMatch(/backup retention period/);
    expect(runbook).toMatch(/copy-db-cluster-snapshot/);
    expect(runbook).toMatch(/\*\*Fallback only if the old cluster does not rejoin\*\*/);
  });

  it("O2: data loss is the lag at failure; read AuroraGlobalDBRPOLag before choosing failover", () => {
    expect(runbook).toMatch(/Data loss equals the replication lag at the moment of failure/);
    expect(block("AuroraGlobalDBRPOLag")).toMatch(/get-metric-statistics/);
  });

  it("O2: a synchronous invoke waits longer than the 300 s function, or the invoke is asynchronous", () => {
    const read = /--cli-read-timeout (\d+)/.exec(runbook);
    expect(Number(read?.[1])).toBeGreaterThan(300);
    expect(runbook).toMatch(/--invocation-type Event/);
  });

  it("O2: operator permissions include KMS on the encrypted alert topic; DLQ redrive uses start-message-move-task", () => {
    expect(runbook).toMatch(/kms:GenerateDataKey\*` \+ `kms:Decrypt` on the secondary Region's\s+KMS key/);
    expect(runbook).toMatch(/aws sqs start-message-move-task/);
    expect(runbook).toMatch(/npm run reconcile/);
  });

  it("X4: failing back is the drill or the Lambda aimed at the primary, with commands the drill accepts", () => {
    const section = runbook.slice(
      runbook.indexOf("## Failing back"),
      runbook.indexOf("## Database credential"),
    );
    const commands = block("--target-region <primary-region> --yes")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("npx tsx scripts/drill.ts"));
    expect(commands).toHaveLength(2);
    for (const c of commands) {
      const argv = c.replace("npx tsx scripts/drill.ts ", "").replace("<primary-region>", "us-east-1");
      expect(parseArgs(argv.split(" "))).toMatchObject({ mode: "switchover", targetRegion: "us-east-1" });
    }
    expect(section).toContain('`{"mode":"switchover","targetRegion":"<primary-region>"}`');
    expect(parseEvent({ mode: "switchover", targetRegion: "us-east-1" }, "notify", [])).toMatchObject({
      request: { targetRegion: "us-east-1", dryRun: false },
    });
    expect(section).toContain("pulumi config set tap:processingRegion primary");
    expect(section).not.toMatch(/always promote the secondary/);
  });

  it("X2: the decision rule has its own section, with the thresholds the code uses", () => {
    const section = runbook.slice(
      runbook.indexOf("## Decision rule: a partition is not an outage"),
      runbook.indexOf("## Failing back"),
    );
    expect(section).toContain(`${ROUTE53_HEALTHY_SHARE * 100}%`);
    expect(section).toContain(`failures from at least ${MIN_FAILING_CHECKER_REGIONS} checker Regions`);
    expect(section).toContain(`capped at ${EVIDENCE_READ_TIMEOUT_MS / 1000} s`);
    expect(section).toMatch(/refused: \*\*a partition, not an outage\*\*/);
    expect(block("get-health-check-status")).toMatch(/aws route53 get-health-check-status --health-check-id/);
  });

  it("X1/X6: the convergence section names the event, the config keys and their defaults as the code has them", () => {
    expect(runbook).toContain(`\`${JSON.stringify(CONVERGE_EVENT)}\``);
    expect(runbook).toContain(`\`tap:convergeMinutes\` (default ${CONVERGENCE_DEFAULTS.convergeMinutes})`);
    expect(runbook).toContain(
      `\`tap:strandedOrderMinutes\` (default ${CONVERGENCE_DEFAULTS.strandedOrderMinutes})`,
    );
  });

  it("names the switches and exit codes the code reads", () => {
    expect(runbook).toContain(`${E2E_ENV}=1`);
    expect(runbook).toContain(`account prefix \`${E2E_ACCOUNT_PREFIX}\``);
    expect(runbook).toContain(`${INVOKE_DRY_RUN_ENV}=1`);
    expect(runbook).toContain(`\`${EXIT.nothingStarted}\` a confirmed run that started nothing`);
    expect(runbook).toMatch(/## When the drill is blocked/);
  });
});
