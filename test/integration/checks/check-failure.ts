/** How a live check reports: every problem it found, at once, naming what was checked and where. */

export class CheckFailure extends Error {
  constructor(
    readonly what: string,
    readonly problems: readonly string[],
  ) {
    super(`${what}: ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "CheckFailure";
  }
}

/** Throws a CheckFailure when `problems` is not empty; otherwise returns the report. */
export function passOrThrow<R>(what: string, problems: readonly string[], report: R): R {
  if (problems.length > 0) throw new CheckFailure(what, problems);
  return report;
}
