/**
 * Runs once after every test file: fails the run when a test left a temporary folder of this run
 * behind (test/support/temp-dir.ts names them), after removing it.
 */
const { readdirSync, rmSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");

module.exports = async function globalTeardown() {
  const runId = process.env.TAP_TEST_RUN_ID;
  if (!runId) return;
  const prefix = `tap-test-${runId}-`;
  const left = readdirSync(tmpdir()).filter((name) => name.startsWith(prefix));
  for (const name of left) rmSync(join(tmpdir(), name), { recursive: true, force: true });
  if (left.length > 0)
    throw new Error(`tests left temporary folders behind in ${tmpdir()}: ${left.join(", ")}`);
};
