/**
 * The docs' commands run as a user types them (a shell, npm, the real processes). Apart from
 * helpers.ts, which runs the plan in-process: these files spawn the plan and need none of its modules
 * (the plan's loads @pulumi/pulumi, about half a second of CPU in every Jest test file that imports it).
 */
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import * as path from "node:path";

export const ROOT = path.join(__dirname, "..", "..");

/** Where the plan's commands are shown: the README's first screen and the plan's reference page. */
export const PLAN_DOCS = ["README.md", "docs/plan.md"];

/** The docs' `npm run … plan …` command lines, exactly as written (the trailing comment dropped). */
export function readmePlanCommands(): string[] {
  const docs = PLAN_DOCS.map((f) => readFileSync(path.join(ROOT, f), "utf8")).join("\n");
  return [...docs.matchAll(/^(npm run [^#\n]*\bplan\b[^#\n]*)/gm)].map((m) => m[1].trim());
}

/** Runs a command as a user's shell would: `sh -c`, without the npm_* variables of the `npm test` we run in. */
export function runAsUser(command: string): { status: number | null; stdout: string; stderr: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const r = spawnSync("sh", ["-c", command], { cwd: ROOT, env, encoding: "utf8", timeout: 120_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
