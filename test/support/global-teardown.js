/**
 * Runs once after every test file: removes the folder of shared program runs (global-setup.js), then
 * fails the run when a test left a temporary folder of this run behind (test/support/temp-dir.ts names
 * them), after removing it.
 */
const { readdirSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { PROGRAM_RUNS_DIR_ENV, RUN_ID_ENV, runTempPrefix } = require("./run-env");

module.exports = async function globalTeardown() {
  const runId = process.env[RUN_ID_ENV];
  if (!runId) return;
  const programRuns = process.env[PROGRAM_RUNS_DIR_ENV];
  if (programRuns) rmSync(programRuns, { recursive: true, force: true });
  const prefix = runTempPrefix(runId);
  const left = readdirSync(tmpdir()).filter((name) => name.startsWith(prefix));
  for (const name of left) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  if (left.length > 0)
    throw new Error(`tests left temporary folders behind in ${tmpdir()}: ${left.join(", ")}`);
};
