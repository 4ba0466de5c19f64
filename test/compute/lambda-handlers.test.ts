/**
 * P9: every deployed function's handler string names an export of the bundle its code points at.
 * The bundles are loaded in a fresh Node process, as Lambda would, so module-level clients start clean.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import * as path from "node:path";
import { ProgramRun, runProgram } from "../program";

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
});

it("P9: each Lambda's code is a bundle under dist/lambda whose file exports the configured handler", () => {
  const functions = run.of("aws:lambda/function:Function");
  expect(functions.map((f) => f.name).sort()).toEqual(
    [
      "tap-dev-alert-relay-fn",
      "tap-dev-failover-fn",
      "tap-dev-ledger-migration-fn",
      "tap-dev-primary-api-health",
      "tap-dev-primary-order-processor-fn",
      "tap-dev-secondary-api-health",
      "tap-dev-secondary-order-processor-fn",
    ].sort(),
  );
  for (const fn of functions) {
    const dir = String((fn.inputs.code as { path?: string }).path);
    const [file, exportName] = String(fn.inputs.handler).split(".");
    const bundle = path.join(dir, `${file}.js`);
    expect([
      fn.name,
      path
        .relative(path.join(__dirname, "..", ".."), dir)
        .split(path.sep)
        .slice(0, 2),
    ]).toEqual([fn.name, ["dist", "lambda"]]);
    expect([fn.name, existsSync(bundle)]).toEqual([fn.name, true]);
    const probe = spawnSync(
      process.execPath,
      ["-e", `process.stdout.write(typeof require(process.argv[1])[process.argv[2]])`, bundle, exportName],
      { encoding: "utf8", env: { PATH: process.env.PATH, AWS_REGION: "us-east-1" }, timeout: 30_000 },
    );
    expect([fn.name, probe.stdout, probe.status]).toEqual([fn.name, "function", 0]);
  }
});
