/**
 * `npm run gameday [-- --runs N] [--scenario ID ...] [--json] [--concurrency N] [--ci]`
 * Builds the two-Region world on this machine for every run of every scenario, prints a line per run
 * and a summary with p50/p95/max of the recovery time; --json prints one JSON document instead.
 * Needs the bundled order processor and forwarder (the npm script bundles them first).
 */
import { CI_TIMING, CLI_TIMING } from "./play";
import { runLine, summarise, summaryTable } from "./report";
import { runAll } from "./run";
import { SCENARIO_IDS } from "./scenarios";

export interface CliArgs {
  readonly runs: number;
  readonly scenarios: string[];
  readonly json: boolean;
  readonly concurrency: number;
  readonly ci: boolean;
}

export function parseArgs(argv: readonly string[]): CliArgs {
  const problems: string[] = [];
  let runs = 1;
  let concurrency = 2;
  let json = false;
  let ci = false;
  const scenarios: string[] = [];
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
    else if (a === "--scenario") {
      const id = argv[++i];
      if (id && SCENARIO_IDS.includes(id)) scenarios.push(id);
      else problems.push(`--scenario: "${id ?? ""}" is not one of ${SCENARIO_IDS.join(", ")}`);
    } else problems.push(`${a}: unknown argument`);
  }
  if (problems.length) throw new Error(`gameday: ${problems.join("; ")}`);
  return { runs, scenarios: scenarios.length ? scenarios : [...SCENARIO_IDS], json, concurrency, ci };
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 2;
    return;
  }
  const jobs = Array.from({ length: args.runs }, (_, run) =>
    args.scenarios.map((id) => ({ id, run: run + 1 })),
  ).flat();
  const results = await runAll(jobs, {
    timing: args.ci ? CI_TIMING : CLI_TIMING,
    concurrency: args.concurrency,
    onResult: (r, run) => {
      if (!args.json) console.log(runLine(r, run));
    },
  });
  const summary = summarise(results);
  if (args.json) console.log(JSON.stringify({ runs: args.runs, results, summary }, null, 2));
  else console.log(`\n${summaryTable(summary)}`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`gameday failed: ${(err as Error).stack ?? String(err)}`);
    process.exitCode = 1;
  });
}
