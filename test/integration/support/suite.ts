/** Jest glue: how a live test group is declared so that, without outputs, it skips visibly and says why. */
import { loadStackOutputs, type StackOutputs } from "./outputs";

/**
 * Declares a group of live tests. The body registers its tests and reads outputs only inside them, via
 * `outputs()`. Without an outputs file the same tests are registered under describe.skip, whose title
 * carries the reason, so jest lists every check as skipped and why (and nothing passes). A broken file
 * throws here, at load time, so the test file fails.
 */
export function describeLive(title: string, body: (outputs: () => StackOutputs) => void): void {
  const decision = loadStackOutputs();
  if (decision.kind === "skip") {
    describe.skip(`${decision.reason} (${title})`, () =>
      body(() => {
        throw new Error(decision.reason);
      }));
    return;
  }
  describe(`B4 ${title} (outputs: ${decision.file})`, () => body(() => decision.outputs));
}
