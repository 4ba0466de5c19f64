/**
 * O3: the runbook starts with triage and a decision rule, and every command in it is checked: AWS CLI
 * commands against the options their reference pages document (aws-cli-reference.ts) and the operator
 * policy's command list, placeholders against the stack's output contract, Regions against the resources
 * they name, event payloads against the functions' own parsers, and the repository's own commands against
 * their argument parsers. O2: it states what AWS documents.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { parseEvent } from "../../lambda/failover/events";
import { RECONCILE_TIMEOUT_SECONDS } from "../../lambda/reconcile/env";
import { parseReconcileEvent } from "../../lambda/reconcile/event";
import { FAILOVER_TIMEOUT_SECONDS } from "../../lambda/failover/config";
import { OPERATOR_COMMANDS } from "../../lib/operations/operator-commands";
import { OPTIONAL_OUTPUT_SPEC, OUTPUT_KEYS } from "../../lib/stack-outputs";
import { EXIT, parseArgs as parseDrillArgs } from "../../scripts/drill";
import { parseArgs as parseReconcileArgs } from "../../scripts/reconcile";
import {
  EVIDENCE_READ_TIMEOUT_MS,
  MIN_FAILING_CHECKER_REGIONS,
  ROUTE53_HEALTHY_SHARE,
} from "../../lambda/failover/evidence";
import { CONVERGE_EVENT } from "../../lambda/failover/events";
import { CONVERGENCE_DEFAULTS } from "../../lib/config/convergence";
import { INVOKE_DRY_RUN_ENV } from "../integration/checks/failover-function";
import { E2E_ACCOUNT_PREFIX, E2E_ENV } from "../integration/support/e2e";
import {
  AWS_CLI_REFERENCE,
  BOOLEAN_OPTIONS,
  GLOBAL_OPTIONS,
  PULUMI_COMMAND_OPTIONS,
} from "./aws-cli-reference";
import { parseCommand, placeholders, shellBlocks, shellCommands, type ShellCommand } from "./shell-commands";

const ROOT = path.join(__dirname, "../..");
const runbook = readFileSync(path.join(ROOT, "docs/runbook.md"), "utf8");
const scripts = JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts as Record<
  string,
  string
>;
/** The fenced shell block that contains `needle`. */
const block = (needle: string) => shellBlocks(runbook).find((b) => b.includes(needle)) ?? "";
const commands = shellCommands(runbook);
const awsCommands = commands.filter((c) => c.words[0] === "aws");
const awsKey = (c: ShellCommand) => `${c.words[1]} ${c.words[2]}`;
const sections = [...runbook.matchAll(/^## (.+)$/gm)].map((m) => m[1]);

/** Placeholders that are not stack outputs; the runbook's first paragraph says what each is. */
const OTHER_PLACEHOLDERS = [
  "current-writer-region",
  "uuid",
  "snapshot",
  "app-secret-arn",
  "since",
  "suffix",
  "incident",
  "you",
];
const OUTPUT_NAMES = new Set<string>([...OUTPUT_KEYS, ...Object.keys(OPTIONAL_OUTPUT_SPEC)]);
/** Sample values for a parser: what an operator would type for each placeholder. */
const SAMPLE: Record<string, string> = { since: "2025-01-01T09:00:00Z", incident: "INC-123", you: "alice" };
const filled = (text: string) => text.replace(/<([A-Za-z-]+)>/g, (m, name: string) => SAMPLE[name] ?? m);

/** Options (with their values) and positional words of an `aws` command. */
function awsArgs(c: ShellCommand) {
  const options = new Map<string, string | true>();
  const positional: string[] = [];
  const rest = c.words.slice(3);
  for (let i = 0; i < rest.length; i++) {
    const w = rest[i];
    if (!w.startsWith("--")) positional.push(w);
    else if (BOOLEAN_OPTIONS.has(w)) options.set(w, true);
    else options.set(w, rest[++i]);
  }
  return { options, positional };
}

/** What is wrong with an `aws` command against its reference page; empty when nothing is. */
function awsProblems(c: ShellCommand): string[] {
  const ref = AWS_CLI_REFERENCE[awsKey(c)];
  if (!ref) return [`not a command the operator policy covers: ${awsKey(c)}`];
  const { options, positional } = awsArgs(c);
  const problems: string[] = [];
  const unknown = [...options.keys()].filter(
    (o) => !ref.options.includes(o) && !(GLOBAL_OPTIONS as readonly string[]).includes(o),
  );
  if (unknown.length) problems.push(`undocumented option(s): ${unknown.join(", ")}`);
  const missing = ref.required.filter((o) => !options.has(o));
  if (missing.length) problems.push(`missing required option(s): ${missing.join(", ")}`);
  if (positional.length !== (ref.positional ?? 0))
    problems.push(`${positional.length} positional word(s), expected ${ref.positional ?? 0}`);
  // Global services take no Region; every other command names one.
  if (options.has("--region") === Boolean(ref.global))
    problems.push(ref.global ? "--region on a global service" : "no --region (not a global service)");
  return problems;
}

describe("docs/runbook.md: first screen (O3)", () => {
  it("O3: it opens with keeping the outputs, triage, the decision and the buttons, before any design notes", () => {
    expect(sections.slice(0, 5)).toEqual([
      "Before the night: keep the outputs, grant the policy",
      "Triage: the first five minutes",
      "Decide",
      "The buttons",
      "Mid-outage: which live checks fail by design",
    ]);
    expect(sections.indexOf("Standby design and failover sequence (issue 13)")).toBeGreaterThan(4);
  });

  it("O3: triage gives health checks, alarms in each Region, the global cluster, the lag and the DLQs, each with its Region", () => {
    const triage = runbook.slice(runbook.indexOf("## Triage"), runbook.indexOf("## Decide"));
    const inTriage = shellCommands(triage);
    const has = (re: RegExp) => inTriage.some((c) => re.test(c.text));
    expect(has(/^aws route53 get-health-check-status --health-check-id <primaryHealthCheckId>/)).toBe(true);
    expect(has(/^curl .*<primaryHealthUrl>/) && has(/^curl .*<secondaryHealthUrl>/)).toBe(true);
    for (const region of ["primaryRegion", "secondaryRegion", "metricsRegion"]) {
      expect(
        has(new RegExp(`^aws cloudwatch describe-alarms --region <${region}> --state-value ALARM`)),
      ).toBe(true);
    }
    expect(has(/^aws rds describe-global-clusters --region <secondaryRegion> .*FailoverState/)).toBe(true);
    expect(
      has(/--region <secondaryRegion> .*AuroraGlobalDBRPOLag .*Value=<secondaryClusterId>/) &&
        has(/^npm run drill -- --mode failover --dry-run$/),
    ).toBe(true);
    expect(has(/get-queue-attributes --region <primaryRegion> --queue-url <primaryDlqUrl>/)).toBe(true);
  });

  it("O3: the decision table weighs the lag against auroraRpoTargetSeconds, says when to wait and who approves data loss", () => {
    const decide = runbook.slice(runbook.indexOf("## Decide"), runbook.indexOf("## The buttons"));
    const rows = decide.split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| ---"));
    expect(rows[0]).toMatch(/What triage shows .*Lag vs `<auroraRpoTargetSeconds>` .*Do .*Who decides/);
    const row = (re: RegExp) => rows.find((r) => re.test(r)) ?? "";
    expect(row(/above the target, or unknown/)).toMatch(
      /Incident commander \*\*and\*\* the platform's business owner/,
    );
    expect(row(/at or below the target/)).toMatch(/\*\*Failover\*\* now/);
    expect(rows.filter((r) => /\*\*Wait\*\*/.test(r)).length).toBeGreaterThanOrEqual(3);
    expect(decide).toMatch(/One vantage point alone is a partition, not an outage/);
    expect(decide).toMatch(/"unknown" \(no datapoint\) counts as above\s+the target/);
  });

  it("O3: a copy of the outputs is kept, and the us-east-1 control-plane caveat comes with a data-plane way", () => {
    expect(runbook).toMatch(/\*\*Keep a copy of the outputs\.\*\*/);
    expect(runbook).toMatch(
      /\*\*When us-east-1 is the Region in trouble, `update-health-check` may be impossible\.\*\*/,
    );
    expect(runbook).toMatch(
      /routing controls: their state is changed through a cluster of five Regional\s+endpoints/,
    );
    expect(runbook).toContain(
      "https://docs.aws.amazon.com/whitepapers/latest/aws-fault-isolation-boundaries/global-services.html",
    );
  });

  it("O3: the live checks expected to fail mid-outage are named", () => {
    const mid = runbook.slice(runbook.indexOf("## Mid-outage"), runbook.indexOf("**Reference.**"));
    for (const check of [
      "global cluster",
      "DynamoDB replica",
      "secret replica",
      "S3 replication",
      "Aurora lag alarm",
    ])
      expect(mid).toContain(check);
    expect(mid).toMatch(/Any\s+other failure is a finding/);
  });
});

describe("docs/runbook.md: every command is checked (O3)", () => {
  it("O3: it has commands to check, and only programs this check knows", () => {
    expect(awsCommands.length).toBeGreaterThan(25);
    const programs = new Set(commands.map((c) => c.words[0]));
    expect([...programs].sort()).toEqual(["aws", "cat", "curl", "npm", "npx", "pulumi"]);
  });

  it("O3: every aws command is one the operator policy covers, with only the options its reference page documents", () => {
    expect(Object.keys(AWS_CLI_REFERENCE).sort()).toEqual(Object.keys(OPERATOR_COMMANDS).sort());
    for (const c of awsCommands) expect([c.text, awsProblems(c)]).toEqual([c.text, []]);
  });

  it("O3: the option check catches a misspelt option, a missing required one, a missing Region and a stray word", () => {
    const bad = parseCommand(
      "aws rds failover-global-cluster --global-cluster-identifier g --allow_data_loss --allow-data-loss extra --region r",
    );
    expect(awsProblems(bad)).toEqual([
      "undocumented option(s): --allow_data_loss",
      "missing required option(s): --target-db-cluster-identifier",
      "1 positional word(s), expected 0",
    ]);
    expect(awsProblems(parseCommand("aws sqs list-message-move-tasks --source-arn a"))).toEqual([
      "no --region (not a global service)",
    ]);
    expect(awsProblems(parseCommand("aws sqs purge-queue --queue-url q --region r"))).toEqual([
      "not a command the operator policy covers: sqs purge-queue",
    ]);
  });

  it("O3: every placeholder is a stack output or one the first paragraph explains", () => {
    const intro = runbook.slice(0, runbook.indexOf("## Before the night"));
    for (const name of OTHER_PLACEHOLDERS) expect(intro).toContain(`\`<${name}>\``);
    for (const c of commands) {
      const unknown = placeholders(c.text).filter(
        (p) => !OUTPUT_NAMES.has(p) && !OTHER_PLACEHOLDERS.includes(p),
      );
      expect([c.text, unknown]).toEqual([c.text, []]);
    }
  });

  it("O3: a command naming one Region's resource is sent to that Region (global-cluster calls are checked below)", () => {
    const regionOf = (name: string): string | undefined => {
      if (name === "failoverFunctionName" || name === "reconcileFunctionName") return "<secondaryRegion>";
      if (name === "witnessTableName") return "<witnessRegion>";
      if (/^primary(?!Region)/.test(name) && !/HealthCheckId$/.test(name)) return "<primaryRegion>";
      if (/^secondary(?!Region)/.test(name) && !/HealthCheckId$/.test(name)) return "<secondaryRegion>";
      return undefined;
    };
    let pinned = 0;
    for (const c of awsCommands.filter((c) => !/global-cluster$/.test(c.words[2]))) {
      const regions = new Set(placeholders(c.text).map(regionOf).filter(Boolean));
      if (regions.size === 0) continue;
      pinned++;
      expect([c.text, [...regions], awsArgs(c).options.get("--region")]).toEqual([
        c.text,
        [...regions].slice(0, 1),
        [...regions][0],
      ]);
    }
    expect(pinned).toBeGreaterThan(10);
  });

  it("O3: every failover payload is accepted by the function's own parser; the asynchronous failover button really fails over", () => {
    const invokes = awsCommands.filter((c) => awsKey(c) === "lambda invoke");
    const failover = invokes.filter(
      (c) => awsArgs(c).options.get("--function-name") === "<failoverFunctionName>",
    );
    expect(failover.length).toBeGreaterThanOrEqual(3);
    for (const c of failover) {
      const parsed = parseEvent(
        JSON.parse(filled(String(awsArgs(c).options.get("--payload")))),
        "notify",
        [],
      );
      expect(parsed.kind).toBe("run");
      if (
        parsed.kind === "run" &&
        awsArgs(c).options.get("--invocation-type") === "Event" &&
        parsed.request.mode === "failover"
      )
        expect([c.text, parsed.request.dryRun]).toEqual([c.text, false]);
    }
  });

  it("O3: what the runbook says about dryRun defaults is what the parser does", () => {
    const direct = (mode: string) => {
      const p = parseEvent({ mode }, "notify", []);
      if (p.kind !== "run") throw new Error("not a run");
      return p.request.dryRun;
    };
    expect([direct("switchover"), direct("failover")]).toEqual([false, true]);
    expect(runbook).toMatch(
      /`dryRun` defaults to `false` for a switchover \(it loses nothing\) and to `true` for a\s+failover/,
    );
    expect(runbook).toMatch(
      /A failover invoked directly is a \*\*dry run unless the event says\s+`"dryRun": false`\*\*/,
    );
    expect(runbook).not.toMatch(/`dryRun` defaults to `false`;/);
  });

  it("O3: the reconcile invoke is accepted by the reconcile function's parser and waits longer than it runs", () => {
    const invokes = awsCommands.filter(
      (c) => awsArgs(c).options.get("--function-name") === "<reconcileFunctionName>",
    );
    expect(invokes).toHaveLength(1);
    const { options } = awsArgs(invokes[0]);
    expect(parseReconcileEvent(JSON.parse(filled(String(options.get("--payload")))))).toEqual({
      sinceIso: SAMPLE.since,
      dryRun: true,
    });
    expect(Number(options.get("--cli-read-timeout"))).toBeGreaterThan(RECONCILE_TIMEOUT_SECONDS);
    expect(invokes[0].env.AWS_MAX_ATTEMPTS).toBe("1");
  });

  it("O3: npm and npx commands name real scripts and pass their argument parsers; pulumi uses documented options", () => {
    let parsed = 0;
    for (const c of commands.filter((c) => ["npm", "npx", "pulumi"].includes(c.words[0]))) {
      const [program, ...rest] = c.words.map(filled);
      if (program === "pulumi") {
        const sub = rest[0] === "stack" ? rest.slice(0, 2).join(" ") : rest[0];
        const documented = PULUMI_COMMAND_OPTIONS[sub];
        expect([c.text, documented !== undefined]).toEqual([c.text, true]);
        const options = rest.filter((w) => w.startsWith("--"));
        expect(options.filter((o) => !documented.includes(o))).toEqual([]);
        continue;
      }
      const [script, args] =
        program === "npx" ? [rest[1], rest.slice(2)] : [rest[1], rest.slice(rest.indexOf("--") + 1)];
      if (program === "npm") expect([c.text, rest[0], script in scripts]).toEqual([c.text, "run", true]);
      const parse = {
        drill: parseDrillArgs,
        "scripts/drill.ts": parseDrillArgs,
        reconcile: parseReconcileArgs,
      }[script];
      if (!parse) continue;
      expect(() => parse(args)).not.toThrow();
      parsed++;
    }
    expect(parsed).toBeGreaterThanOrEqual(8);
  });

  it("O3: no GNU-only date arithmetic", () => {
    for (const c of commands) expect(c.text).not.toMatch(/\bdate\b[^|;]*\s(-d|--date)\b/);
  });
});

describe("docs/runbook.md: what AWS documents (O2)", () => {
  it("O2: failover CLI runs in the target's Region with --allow-data-loss; switchover in the current writer's", () => {
    expect(block("failover-global-cluster")).toMatch(
      /failover-global-cluster --region <secondaryRegion>[\s\S]*--allow-data-loss/,
    );
    expect(block("switchover-global-cluster --region <current-writer-region>")).not.toBe("");
    // Failing back: the writer is then in the secondary Region.
    expect(runbook).toMatch(
      /switchover-global-cluster --region <secondaryRegion> \\\s+--global-cluster-identifier <globalClusterId> --target-db-cluster-identifier <primaryClusterArn>/,
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

  it("O2: a synchronous failover invoke waits longer than the function and does not retry; or it is asynchronous", () => {
    const sync = awsCommands.filter(
      (c) =>
        awsArgs(c).options.get("--function-name") === "<failoverFunctionName>" &&
        !awsArgs(c).options.has("--invocation-type"),
    );
    expect(sync.length).toBeGreaterThan(0);
    for (const c of sync) {
      expect(Number(awsArgs(c).options.get("--cli-read-timeout"))).toBeGreaterThan(FAILOVER_TIMEOUT_SECONDS);
      expect(c.env.AWS_MAX_ATTEMPTS).toBe("1");
    }
    expect(runbook).toMatch(/--invocation-type Event/);
  });

  it("O2: operator permissions include KMS on the encrypted alert topic; DLQ redrive uses start-message-move-task", () => {
    expect(runbook).toMatch(/kms:GenerateDataKey\*` \+ `kms:Decrypt` on the secondary Region's\s+KMS key/);
    expect(runbook).toMatch(/aws sqs start-message-move-task/);
    expect(runbook).toMatch(/npm run reconcile/);
  });

  it("O3: a DLQ is redriven to its own Region's queue whatever that Region's role, as the orchestrator does", () => {
    expect(runbook).not.toMatch(/Redrive the primary Region's DLQ only after/);
    const redrive = awsCommands.filter((c) => awsKey(c) === "sqs start-message-move-task");
    expect(redrive.map((c) => awsArgs(c).options.get("--source-arn")).sort()).toEqual([
      "<primaryDlqArn>",
      "<secondaryDlqArn>",
    ]);
    expect(redrive.every((c) => !awsArgs(c).options.has("--destination-arn"))).toBe(true);
  });

  it("X4: failing back is the drill or the Lambda aimed at the primary, with commands the drill accepts", () => {
    const section = runbook.slice(
      runbook.indexOf("## Failing back"),
      runbook.indexOf("## Database credential"),
    );
    const commands = block("--target-region <primaryRegion> --yes")
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l.startsWith("npx tsx scripts/drill.ts"));
    expect(commands).toHaveLength(2);
    for (const c of commands) {
      const argv = c.replace("npx tsx scripts/drill.ts ", "").replace("<primaryRegion>", "us-east-1");
      expect(parseDrillArgs(argv.split(" "))).toMatchObject({
        mode: "switchover",
        targetRegion: "us-east-1",
      });
    }
    expect(section).toContain('`{"mode":"switchover","targetRegion":"<primaryRegion>"}`');
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
