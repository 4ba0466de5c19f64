/**
 * Temporary folders for tests. Every one is named `tap-test-<run id>-<prefix>…`, so the global teardown
 * (global-teardown.js) can fail the run when one is left behind, without mistaking another run's.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { RUN_ID_ENV, runTempPrefix as prefixOf } from "./run-env";

/** The name every temporary folder of this Jest run starts with. */
export function runTempPrefix(runId = process.env[RUN_ID_ENV] ?? `pid${process.pid}`): string {
  return prefixOf(runId);
}

/** A new folder; the caller removes it with removeTempDir (in afterAll, say). */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `${runTempPrefix()}${prefix}`));
}

export function removeTempDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** A folder that exists only while `use` runs (removed also when it throws). */
export function withTempDir<T>(prefix: string, use: (dir: string) => T): T {
  const dir = makeTempDir(prefix);
  try {
    return use(dir);
  } finally {
    removeTempDir(dir);
  }
}

export async function withTempDirAsync<T>(prefix: string, use: (dir: string) => Promise<T>): Promise<T> {
  const dir = makeTempDir(prefix);
  try {
    return await use(dir);
  } finally {
    removeTempDir(dir);
  }
}
