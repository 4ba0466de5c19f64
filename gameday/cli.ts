/**
 * `npm run gameday [-- --runs N] [--scenario ID ...] [--json] [--concurrency N] [--ci] [--help]`
 * Builds the two-Region world on this machine for every run of every scenario, prints a line per run
 * and a summary with p50/p95/max of the recovery time; --json prints one JSON document instead. With
 * more than one run, or with --json, a progress line per finished run goes to stderr. Exit code: 0 when
 * every run kept the game day's promises (gameday/verdict.ts), 1 when one did not (or the game day
 * could not run), 2 on bad arguments.
 * `--scenario day-one` runs the day-one world of the dev and prod stacks instead (gameday/day-one/
 * scenario.ts): a line per stack, its problems on stderr, and the same exit codes.
 * Needs the bundled functions (the npm script bundles them first).
 */
import { PRODUCTION_CONFIG, qualified, recordProgram } from "../tooling/mocks/program-run";
import {
  DAY_ONE_ID,
  DAY_ONE_MINUTES,
  dayOneLine,
  dayOneProblems,
  runDayOne,
  type DayOneOutcome,
} from "./day-one/scenario";
import { CI_TIMING, CLI_TIMING, type ScenarioResult } from "./play";
import { progressLine } from "./progress";
import { runLine, summarise, summaryTable } from "./report";
import { runAll, type RunOptions } from "./run";
import { SCENARIO_IDS } from "./scenarios";
import { verdictLines } from "./verdict";

export const USAGE = `usage: npm run gameday -- [--runs N] [--scenario ID ...] [--json] [--concurrency N] [--ci] [--help]
  --runs N          run every scenario N times (1 to 100; default 1); p50/p95/max over the runs
  --scenario ID     only this scenario (repeatable): ${SCENARIO_IDS.join(", ")},
                    or ${DAY_ONE_ID}: the dev and prod stacks' day-one worlds, ${DAY_ONE_MINUTES} simulated minutes with no
                    fault (every health answer 200, every canary passes, no alarm, no failover; an order
                    without credentials refused, one with a client's accepted); it runs only when named
  --json            one JSON document on stdout (runs, results, summary, verdict) instead of the report
  --concurrency N   worlds alive at once (1 to 4; default 2)
  --ci              the short timings the tests use
  --help            this text
Progress goes to stderr with more than one run or with --json. Exit code: 0 when every run kept its
promises (nothing acknowledged lost outside the RPO window, nothing booked twice or left in a DLQ, the
expected promotions, the old writer fenced), 1 when one did not, 2 on bad arguments.`;

export interface CliArgs {
  readonly runs: number;
  readonly scenarios: string[];
  /** Whether `--scenario day-one` was asked for. */
  readonly dayOne: boolean;
  readonly json: boolean;
  readonly concurrency: number;
  readonly ci: boolean;
  readonly help: boolean;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const problems: string[] = [];
  let runs = 1;
  let concurrency = 2;
  let json = false;
  let ci = false;
  let help = false;
  const scenarios: string[] = [];
  let dayOne = false;
  const int = (flag: string, raw: string | undefined, max: number): number => {
    const n = Number(raw);
    if (!raw || !/^\d+$/.test(raw) || n < 1 || n > max) {
      problems.push(
        `${flag}: expected an integer from 1 to ${max}, got ${raw === undefined ? "nothing" : `"${raw}"`}`,
      );
      return 1;
    }
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--runs") runs = int(a, argv[++i], 100);
    else if (a === "--concurrency") concurrency = int(a, argv[++i], 4);
    else if (a === "--json") json = true;
    else if (a === "--ci") ci = true;
    else if (a === "--help" || a === "-h") help = true;
    else if (a === "--scenario") {
      const id = argv[++i];
      if (id === DAY_ONE_ID) dayOne = true;
      else if (id && SCENARIO_IDS.includes(id)) scenarios.push(id);
      else
        problems.push(`--scenario: "${id ?? ""}" is not one of ${[...SCENARIO_IDS, DAY_ONE_ID].join(", ")}`);
    } else problems.push(`${a}: unknown argument`);
  }
  if (problems.length) throw new Error(`gameday: ${problems.join("; ")}\n${USAGE}`);
  const all = scenarios.length || dayOne ? scenarios : [...SCENARIO_IDS];
  return { runs, scenarios: all, dayOne, json, concurrency, ci, help };
}

/** What the CLI needs from the outside world; tests pass their own. */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly runAll: (jobs: { id: string; run: number }[], opts: RunOptions) => Promise<ScenarioResult[]>;
  readonly now: () => number;
  /** Runs the day-one scenario of each stack. */
  readonly runDayOne: () => Promise<DayOneOutcome[]>;
}

/** Runs the game day for `argv`; returns the exit code. */
export async function runGameday(argv: readonly string[], io: CliIo): Promise<number> {
  let args: CliArgs;
  try {
    args = parseArgs(argv);
  } catch (err) {
    io.err((err as Error).message);
    return 2;
  }
  if (args.help) {
    io.out(USAGE);
    return 0;
  }
  const dayOneFailed = args.dayOne ? await dayOne(io) : 0;
  if (args.scenarios.length === 0) return dayOneFailed ? 1 : 0;
  const jobs = Array.from({ length: args.runs }, (_, run) =>
    args.scenarios.map((id) => ({ id, run: run + 1 })),
  ).flat();
  const started = io.now();
  let done = 0;
  const showProgress = args.runs > 1 || args.json;
  const results = await io.runAll(jobs, {
    timing: args.ci ? CI_TIMING : CLI_TIMING,
    concurrency: args.concurrency,
    onResult: (r, run) => {
      if (!args.json) io.out(runLine(r, run));
      if (showProgress) io.err(progressLine(++done, jobs.length, io.now() - started));
    },
  });
  const summary = summarise(results);
  const failed = verdictLines(results.map((result, i) => ({ result, run: jobs[i].run })));
  if (args.json) io.out(JSON.stringify({ runs: args.runs, results, summary, failed }, null, 2));
  else io.out(`\n${summaryTable(summary)}`);
  for (const line of failed) io.err(line);
  io.err(
    failed.length
      ? `game day FAILED: ${failed.length} of ${jobs.length} run(s) broke a promise`
      : `game day passed: all ${jobs.length} run(s) kept every promise`,
  );
  return failed.length || dayOneFailed ? 1 : 0;
}

/** Runs scenario day-one, prints a line per stack and its verdict; returns how many stacks failed it. */
async function dayOne(io: CliIo): Promise<number> {
  const outcomes = await io.runDayOne();
  let failed = 0;
  for (const o of outcomes) {
    io.out(dayOneLine(o));
    const problems = dayOneProblems(o);
    for (const p of problems) io.err(`day-one ${o.stack}: ${p}`);
    if (problems.length) failed += 1;
  }
  io.err(
    failed
      ? `day one FAILED: ${failed} of ${outcomes.length} stack(s) broke a promise`
      : `day one passed: ${outcomes.length} stack(s) healthy for ${DAY_ONE_MINUTES} minutes`,
  );
  return failed;
}

/** The day-one scenario of the dev and prod stacks, each from its own program run under the mocks. */
export async function dayOneOfStacks(): Promise<DayOneOutcome[]> {
  const stacks: [string, Record<string, string>][] = [
    ["dev", {}],
    ["prod", PRODUCTION_CONFIG],
  ];
  const outcomes: DayOneOutcome[] = [];
  for (const [stack, config] of stacks) {
    const run = await recordProgram(qualified(config), stack);
    outcomes.push(await runDayOne(stack, run.resources));
  }
  return outcomes;
}

if (require.main === module) {
  runGameday(process.argv.slice(2), {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    runAll,
    now: () => Date.now(),
    runDayOne: dayOneOfStacks,
  }).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(`gameday failed: ${(err as Error).stack ?? String(err)}`);
      process.exitCode = 1;
    },
  );
}
