/**
 * Runs once before any test file, in Jest's main process.
 *
 * 1. Builds the Lambda bundles that are missing, so a single file runs without `npm run bundle` first
 *    (`npm test` runs the bundler first, which also rebuilds every stale one).
 * 2. Gives the run an id (RUN_ID_ENV, inherited by the workers, which start after this): the
 *    temporary folders tests make carry it, and global-teardown.js fails the run if one is left.
 * 3. Makes the folder where test files share program runs (program-runs.ts; PROGRAM_RUNS_DIR_ENV),
 *    which global-teardown.js removes.
 */
const { randomBytes } = require("node:crypto");
const { existsSync, mkdtempSync } = require("node:fs");
const { tmpdir } = require("node:os");
const { join } = require("node:path");
const { PROGRAM_RUNS_DIR_ENV, RUN_ID_ENV, runTempPrefix } = require("./run-env");

const DIST = join(__dirname, "..", "..", "dist", "lambda");

/** Bundles every Lambda whose dist/lambda/<name>/index.js is missing; returns their names. */
async function ensureBundles(distDir = DIST) {
  const { bundle, lambdaNames } = await import("../../scripts/bundle.mjs");
  const missing = lambdaNames().filter((name) => !existsSync(join(distDir, name, "index.js")));
  for (const name of missing) await bundle(name, { outdir: join(distDir, name) });
  return missing;
}

module.exports = async function globalSetup() {
  const built = await ensureBundles();
  if (built.length > 0) process.stderr.write(`\njest global setup: bundled ${built.join(", ")} (missing)\n`);
  const runId = `${process.pid}${randomBytes(3).toString("hex")}`;
  process.env[RUN_ID_ENV] = runId;
  process.env[PROGRAM_RUNS_DIR_ENV] = mkdtempSync(join(tmpdir(), `${runTempPrefix(runId)}program-runs-`));
};

module.exports.ensureBundles = ensureBundles;
