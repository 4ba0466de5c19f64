export const RUN_ID_ENV: "TAP_TEST_RUN_ID";
export const PROGRAM_RUNS_DIR_ENV: "TAP_PROGRAM_RUNS_DIR";
export function runTempPrefix(runId: string): string;
