/**
 * Program runs shared by every test file of one Jest run. A run under the mocks is a pure function of
 * its stack and config, so the first file that needs one records it here (a JSON file in the folder
 * jest's global setup makes, named by PROGRAM_RUNS_DIR_ENV) and the others read it, without loading
 * Pulumi at all. The file that starts a run first claims it (an exclusive `.claim` file holding its
 * pid); a file that needs the same run meanwhile waits for it instead of running the program too (the
 * two slowest files, which Jest starts first, both begin with the dev stack's run). Each run is written
 * whole and renamed into place, so a reader never sees half of one. A run that fails is never shared:
 * its claim goes, and every file runs it itself and sees its own error. A claim whose process is gone,
 * or that outlasts CLAIM_WAIT_MS, is not waited for.
 *
 * Every caller, the first included, gets the run as read back from JSON, so no test depends on which
 * file happened to record it.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  existsSync,
  openSync,
  closeSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { SecretValue } from "../../tooling/mocks/recorded";
import type { RecordedRun } from "../../tooling/mocks/program-run";
import { PROGRAM_RUNS_DIR_ENV } from "./run-env";

export type { RecordedRun };

const SECRET_TAG = "$tapSecret";
/** Longest wait for another file's run: far above a run's few seconds on a loaded machine. */
export const CLAIM_WAIT_MS = 60_000;
const POLL_MS = 25;

/** JSON text of a run; secret values keep their value under a tag (SecretValue's own toJSON hides it). */
export function encodeRun(run: RecordedRun): string {
  const tag = (v: unknown): unknown => {
    if (v instanceof SecretValue) return { [SECRET_TAG]: tag(v.value) };
    if (Array.isArray(v)) return v.map(tag);
    if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, tag(x)]));
    return v;
  };
  return JSON.stringify(tag(run));
}

export function decodeRun(text: string): RecordedRun {
  return JSON.parse(text, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v) && SECRET_TAG in v
      ? new SecretValue((v as Record<string, unknown>)[SECRET_TAG])
      : v,
  ) as RecordedRun;
}

/** The file of `key`'s run in the shared folder. */
export function runFile(dir: string, key: string): string {
  return path.join(dir, `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.json`);
}

/** Takes the claim on a run (true), or finds another process's (false). */
function claim(file: string): boolean {
  try {
    const fd = openSync(file, "wx");
    writeSync(fd, `${process.pid}`);
    closeSync(fd);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  }
}

/**
 * Whether another process that holds a claim is still running. A claim of this process is an earlier
 * file's (files of one worker run one after another, and test/program.ts asks once per key per file):
 * that file failed or timed out, so it is not waited for; nor is a claim left by a crash.
 */
function holderAlive(claimFile: string): boolean {
  let text: string;
  try {
    text = readFileSync(claimFile, "utf8");
  } catch {
    return false; // released meanwhile
  }
  if (text === "") return true; // its holder is writing its pid
  const pid = Number(text);
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The run for `key`: read when a file of this Jest run recorded it, else made by `record` and shared. */
export async function sharedRun(key: string, record: () => Promise<RecordedRun>): Promise<RecordedRun> {
  const dir = process.env[PROGRAM_RUNS_DIR_ENV];
  if (!dir) return decodeRun(encodeRun(await record()));
  const file = runFile(dir, key);
  const claimFile = `${file}.claim`;
  const giveUpAt = Date.now() + CLAIM_WAIT_MS;
  let claimed = false;
  for (;;) {
    if (existsSync(file)) return decodeRun(readFileSync(file, "utf8"));
    claimed = claim(claimFile);
    // Recorded between the look and the claim: read it.
    if (claimed && existsSync(file)) {
      rmSync(claimFile, { force: true });
      return decodeRun(readFileSync(file, "utf8"));
    }
    if (claimed || Date.now() >= giveUpAt || !holderAlive(claimFile)) break;
    await sleep(POLL_MS);
  }
  try {
    const text = encodeRun(await record());
    const staged = `${file}.${process.pid}-${randomBytes(4).toString("hex")}`;
    writeFileSync(staged, text);
    renameSync(staged, file);
    return decodeRun(text);
  } finally {
    if (claimed) rmSync(claimFile, { force: true });
  }
}
