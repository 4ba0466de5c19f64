/** `npm run bench` flags: the full measurement, or `--quick` (the same code paths, a fraction of the time). */

/** How long each part of the bench measures. */
export interface BenchPace {
  /** Fresh node processes per cold-start timing (the median is shown). */
  readonly coldStartRuns: number;
  /** How long one throughput row sends batches, ms. */
  readonly throughputWindowMs: number;
  /** Alternated before/now rounds of the baseline comparison. */
  readonly baselineRounds: number;
}

export const FULL_PACE: BenchPace = { coldStartRuns: 7, throughputWindowMs: 3_000, baselineRounds: 3 };
/** Every row still runs; the numbers are only indicative. */
export const QUICK_PACE: BenchPace = { coldStartRuns: 1, throughputWindowMs: 200, baselineRounds: 1 };

export const BENCH_USAGE = `usage: npm run bench [-- --quick]
  (no flag)  cold start of the order processor (bundled vs file-per-file) and batch throughput against
             PostgreSQL (DATABASE_URL, else an embedded PostgreSQL 15) and dynalite, a few minutes
  --quick    every row once with short windows (what the tests run): the command works, numbers are rough
  --help     this text`;

export interface BenchArgs {
  readonly help: boolean;
  readonly pace: BenchPace;
  readonly usage: string;
}

export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const unknown = argv.filter((a) => !["--quick", "--help", "-h"].includes(a));
  if (unknown.length) throw new Error(`bench: ${unknown.join(", ")}: unknown argument\n${BENCH_USAGE}`);
  return {
    help: argv.includes("--help") || argv.includes("-h"),
    pace: argv.includes("--quick") ? QUICK_PACE : FULL_PACE,
    usage: BENCH_USAGE,
  };
}
