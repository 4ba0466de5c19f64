/**
 * Offline plan (B1–B3) as a command: the process around tooling/plan/run-plan.ts.
 *
 *   npm run plan -- [--stack dev|prod] [--json] [--mermaid] [--config key=value ...]
 *
 * Exit codes: 0 plan OK; 1 a mandatory policy violation or a broken DR budget; 2 bad config or usage.
 */
import { runPlan } from "./run-plan";

runPlan(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
})
  .then((code) => {
    process.exitCode = code;
  })
  .catch((e: unknown) => {
    process.stderr.write(`plan failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exitCode = 1;
  });
