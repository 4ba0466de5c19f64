/**
 * The environment variables jest's global setup gives the workers (plain JavaScript: the global setup
 * and teardown run outside the transform). Typed in run-env.d.ts.
 */
/** The name every temporary folder of run `runId` starts with (temp-dir.ts makes them). */
const runTempPrefix = (runId) => `tap-test-${runId}-`;

module.exports = {
  /** This run's id: the temporary folders of the run carry it (temp-dir.ts). */
  RUN_ID_ENV: "TAP_TEST_RUN_ID",
  /** The folder where test files share program runs (program-runs.ts). */
  PROGRAM_RUNS_DIR_ENV: "TAP_PROGRAM_RUNS_DIR",
  runTempPrefix,
};
