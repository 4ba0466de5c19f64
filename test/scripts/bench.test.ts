/**
 * `npm run bench` runs: the README's command with `--quick` (every row, short windows), through npm and a
 * shell as a user types it. The numbers are the bench's business; that it runs to the end is ours.
 */
import { BENCH_USAGE, FULL_PACE, parseBenchArgs, QUICK_PACE } from "../../scripts/bench-args";
import { ownSources } from "../../scripts/bench";
import { ROOT, runAsUser } from "../plan/as-typed";

it("O4: `npm run bench -- --quick` runs both reports to the end and exits 0", () => {
  const r = runAsUser("npm run --silent bench -- --quick");
  expect({ status: r.status, stderr: r.status === 0 ? "" : r.stderr }).toEqual({ status: 0, stderr: "" });
  expect(r.stdout).toMatch(/^ {2}esbuild bundle \(ships\) +\d+ KB +1 +\d+ KB +[\d.]+ ms +\d+ ms$/m);
  // The file-per-file build loads our own modules and node_modules (it once failed on a missing import).
  expect(r.stdout).toMatch(/^ {2}file-per-file \+ node_modules +- +\d{2,} +\d+ KB +[\d.]+ ms +\d+ ms$/m);
  expect(r.stdout.match(/^ {2}now \(issue 12\) +(10|100) +(0|10)% +\d+ +[\d.]+ ms +[\d.]+$/gm)).toHaveLength(
    4,
  );
  expect(r.stdout).toMatch(/ratio now\/before: \d+\.\d\d/);
}, 180_000);

it("O4: the file-per-file build covers every own source the bundle read, wherever it lives", () => {
  expect(
    ownSources([
      "lambda/order-processor/index.ts",
      "lambda/order-authorizer/contract.ts",
      "lambda/shared/log.ts",
      "node_modules/pg/lib/index.js",
    ]).map((p) => p.slice(ROOT.length + 1)),
  ).toEqual([
    "lambda/order-processor/index.ts",
    "lambda/order-authorizer/contract.ts",
    "lambda/shared/log.ts",
  ]);
});

it("O4: --quick shortens every part; --help shows the usage; anything else is refused with it", () => {
  expect(parseBenchArgs([])).toEqual({ help: false, pace: FULL_PACE, usage: BENCH_USAGE });
  expect(parseBenchArgs(["--quick"]).pace).toEqual(QUICK_PACE);
  expect(parseBenchArgs(["--help"]).help).toBe(true);
  expect(() => parseBenchArgs(["--fast"])).toThrow(/^bench: --fast: unknown argument\nusage: npm run bench/);
});
