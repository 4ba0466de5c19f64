/**
 * The offline plan's command (B1–B3), without the process around it: tooling/plan/cli.ts gives it the
 * arguments, stdout and stderr and sets the exit code; the tests call it in-process. It runs index.ts for
 * a stack under the shared mock runtime (tooling/mocks), with no credentials and no Pulumi CLI, then
 * prints the resource tree, outputs, DR budget and policy results.
 *
 * Exit codes: 0 plan OK; 1 a mandatory policy violation or a broken DR budget; 2 bad config or usage.
 * Lambda bundles must exist first (`npm run plan` builds them), as for `pulumi up`. Only the document
 * asked for goes to stdout; progress and verdicts go to stderr.
 */
import * as path from "node:path";
import { ConfigError, parseConfig, TapConfig } from "../../lib/config";
import type { ResolvedOutput } from "./report";
import { loadStackConfig, StackConfig, StackConfigError } from "./stack-config";
import type { RecordedResource } from "../mocks/recorded";

export const ROOT = path.join(__dirname, "..", "..");

const USAGE = `usage: npm run plan -- [--stack dev|prod] [--json] [--mermaid] [--config key=value ...]
  --stack    stack whose Pulumi.<stack>.yaml is used (default: dev)
  --json     print every resource, outputs, DR budget and policy results as JSON (schema: docs/plan.md)
  --mermaid  print a mermaid graph of the components by region (with --json: included as "mermaid")
  --config   override a config value for this run, e.g. --config rtoTargetSeconds=60
To write a file, keep npm's own banner out of it: npm run --silent plan -- --json > plan.json`;

interface Args {
  stack: string;
  json: boolean;
  mermaid: boolean;
  overrides: Record<string, string>;
}

class UsageError extends Error {}

/** Where the plan writes: the process's stdout and stderr, or a test's buffers. */
export interface PlanIo {
  stdout(text: string): void;
  stderr(text: string): void;
}

/** One program run under the mocks: every resource it declared and its resolved outputs. */
export interface PlanProgramRun {
  readonly resources: readonly RecordedResource[];
  readonly outputs: Record<string, ResolvedOutput>;
}

/** Runs the program for a stack config (keys fully qualified); the tests pass one that caches per config. */
export type PlanProgramRunner = (
  stack: string,
  project: string,
  config: Record<string, string>,
) => Promise<PlanProgramRun>;

function parseArgs(argv: string[]): Args {
  const args: Args = { stack: "dev", json: false, mermaid: false, overrides: {} };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = a.includes("=") ? a.slice(a.indexOf("=") + 1) : argv[++i];
      if (v === undefined || v === "") throw new UsageError(`${a} needs a value`);
      return v;
    };
    if (a === "--json") args.json = true;
    else if (a === "--mermaid") args.mermaid = true;
    else if (a === "--stack" || a.startsWith("--stack=")) args.stack = value();
    else if (a === "--config" || a.startsWith("--config=")) {
      const kv = value();
      const eq = kv.indexOf("=");
      if (eq <= 0) throw new UsageError(`--config expects key=value, got "${kv}"`);
      args.overrides[kv.slice(0, eq)] = kv.slice(eq + 1);
    } else if (a === "--help" || a === "-h") throw new UsageError("");
    else throw new UsageError(`unknown argument "${a}"`);
  }
  if (!/^[A-Za-z0-9_.-]+$/.test(args.stack)) throw new UsageError(`invalid stack name "${args.stack}"`);
  return args;
}

const isConfigError = (e: unknown): e is ConfigError =>
  e instanceof ConfigError || (e instanceof Error && e.name === "ConfigError");

/**
 * Runs index.ts under the mocks (./run-index.ts), loaded only now: a refusal (bad arguments or config,
 * such as Pulumi.prod.yaml's placeholder identity settings) returns before any Pulumi module loads.
 */
const runIndexWhenNeeded: PlanProgramRunner = async (...args) =>
  (await import("./run-index")).runIndexUnderMocks(...args);

async function plan(args: Args, io: PlanIo, runProgram: PlanProgramRunner): Promise<number> {
  const started = Date.now();
  const stackConfig: StackConfig = loadStackConfig(ROOT, args.stack, args.overrides);
  const get = (key: string) => stackConfig.values[`${stackConfig.project}:${key}`];
  // Validated here too, so a bad stack file fails with the ConfigError alone, before any mock runs.
  const cfg: TapConfig = parseConfig(get, stackConfig.project, Object.keys(stackConfig.values));

  // The mocks default disable-default-providers to ["*"]; pass the stack's own value so the program's
  // check sees what the CLI would.
  const config = { "pulumi:disable-default-providers": "[]", ...stackConfig.values };
  const { resources, outputs } = await runProgram(args.stack, stackConfig.project, config);
  const [{ buildReport, reportToJson }, { renderMermaid, renderText }] = await Promise.all([
    import("./report"),
    import("./render"),
  ]);

  const report = await buildReport({
    project: stackConfig.project,
    stack: args.stack,
    resources,
    outputs,
    config: cfg,
    configOrigins: stackConfig.origins,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  const mermaid = args.mermaid ? renderMermaid(report.graph) : undefined;

  if (args.json) {
    const doc = reportToJson(report, { durationSeconds: Number(seconds), ...(mermaid ? { mermaid } : {}) });
    io.stdout(`${JSON.stringify(doc, null, 2)}\n`);
  } else if (mermaid) {
    io.stdout(`${mermaid}\n`);
  } else {
    io.stdout(`${renderText(report)}\n`);
  }
  const summary = `plan ${args.stack}: ${report.summary.resources} resources, ${seconds} s`;
  if (args.json || mermaid) {
    // stdout stays machine-readable; the verdict goes to stderr.
    io.stderr(`${summary}${report.ok ? "" : `; FAILED: ${report.failures.join("; ")}`}\n`);
    for (const w of report.warnings) io.stderr(`  warning: ${w}\n`);
    for (const v of report.policy.mandatory)
      io.stderr(`  mandatory ${v.policy} ${v.name ?? ""}: ${v.message}\n`);
  } else {
    io.stdout(`${summary}\n`);
  }
  return report.ok ? 0 : 1;
}

/** The whole command: parses `argv` (without node and the script), plans, and returns the exit code. */
export async function runPlan(
  argv: string[],
  io: PlanIo,
  runProgram: PlanProgramRunner = runIndexWhenNeeded,
): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (e) {
    const msg = (e as Error).message;
    io.stderr(`${msg ? `${msg}\n` : ""}${USAGE}\n`);
    return msg ? 2 : 0;
  }
  try {
    return await plan(args, io, runProgram);
  } catch (e) {
    if (isConfigError(e) || e instanceof StackConfigError) {
      io.stderr(`plan ${args.stack}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
