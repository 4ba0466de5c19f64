/**
 * Program runs shared by every test file of one Jest run. A run under the mocks is a pure function of
 * its stack and config, so the first file that needs one records it here (a JSON file in the folder
 * jest's global setup makes, named by PROGRAM_RUNS_DIR_ENV) and the others read it, without loading
 * Pulumi at all. Files that race for one both run it; each writes a whole file and renames it into
 * place, so a reader never sees half of one. A run that fails is never shared: every file runs it
 * itself and sees its own error.
 *
 * Every caller, the first included, gets the run as read back from JSON, so no test depends on which
 * file happened to record it.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { SecretValue } from "../../tooling/mocks/recorded";
import type { RecordedRun } from "../../tooling/mocks/program-run";
import { PROGRAM_RUNS_DIR_ENV } from "./run-env";

export type { RecordedRun };

const SECRET_TAG = "$tapSecret";

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

/** The run for `key`: read when a file of this Jest run recorded it, else made by `record` and shared. */
export async function sharedRun(key: string, record: () => Promise<RecordedRun>): Promise<RecordedRun> {
  const dir = process.env[PROGRAM_RUNS_DIR_ENV];
  const file = dir && path.join(dir, `${createHash("sha256").update(key).digest("hex").slice(0, 32)}.json`);
  if (file && existsSync(file)) return decodeRun(readFileSync(file, "utf8"));
  const text = encodeRun(await record());
  if (file) {
    const staged = `${file}.${process.pid}-${randomBytes(4).toString("hex")}`;
    writeFileSync(staged, text);
    renameSync(staged, file);
  }
  return decodeRun(text);
}
