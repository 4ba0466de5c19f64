/**
 * O4: the sample outputs in the README and the pages split from it. Each ```text block follows a
 * `<!-- sample: KIND -->` line naming what produced it; the tests compare each kind with the program
 * (plan: test/plan/cli.test.ts; game day: here and test/gameday/scenario-set.ts; layout: here).
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import type { ScenarioResult } from "../../gameday/play";

export const ROOT = path.join(__dirname, "..", "..");

/** The README and the reference pages moved out of it (the runbook's commands have their own tests). */
export const SAMPLE_DOCS = [
  "README.md",
  "docs/plan.md",
  "docs/gameday.md",
  "docs/security.md",
  "docs/decisions.md",
];

export const SAMPLE_KINDS = ["plan dev", "gameday", "layout"] as const;
export type SampleKind = (typeof SAMPLE_KINDS)[number];

/** Stands for lines left out of an abridged sample. */
export const ELLIPSIS = "…";

export interface DocSample {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** What the marker line says produced it (undefined: no marker). */
  readonly kind: string | undefined;
  readonly lines: string[];
}

/** Every ```text block of `file`, with the marker of the nearest non-blank line above it. */
export function docSamples(file: string): DocSample[] {
  const text = readFileSync(path.join(ROOT, file), "utf8").split("\n");
  const out: DocSample[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== "```text") continue;
    let above = i - 1;
    while (above >= 0 && text[above].trim() === "") above--;
    const kind = /^<!-- sample: (.+?) -->$/.exec(text[above] ?? "")?.[1];
    const end = text.indexOf("```", i + 1);
    out.push({ file, line: i + 1, kind, lines: text.slice(i + 1, end) });
    i = end;
  }
  return out;
}

/** All samples of one kind across SAMPLE_DOCS. */
export function samplesOf(kind: SampleKind): DocSample[] {
  return SAMPLE_DOCS.flatMap(docSamples).filter((s) => s.kind === kind);
}

/** An abridged sample's runs of consecutive lines (split at `…`), none empty. */
export function sampleRuns(sample: DocSample): string[][] {
  const runs: string[][] = [[]];
  for (const l of sample.lines) {
    if (l === ELLIPSIS) runs.push([]);
    else runs[runs.length - 1].push(l);
  }
  return runs.filter((r) => r.length > 0);
}

/**
 * For each run, where it starts in `output` (lines), in order; -1 where a run is not found there as
 * consecutive lines after the previous one. A sample matches when no run is -1.
 */
export function locateRuns(runs: readonly string[][], output: readonly string[]): number[] {
  let from = 0;
  return runs.map((run) => {
    for (let at = output.indexOf(run[0], from); at !== -1; at = output.indexOf(run[0], at + 1)) {
      if (run.every((l, k) => output[at + k] === l)) {
        from = at + run.length;
        return at;
      }
    }
    return -1;
  });
}

const RUN_LINE =
  /^run (\d+) (\S+) +\| ack (\d+) \| booked (\d+) \| lost (\d+)(?: \(in neither store: (\d+)\))? \| twice (\d+) \| conflicts (\d+) \| dlq (\d+) \| reconciled (\d+) \| recovery (-|\d+\.\d\d s) \| fenced (-|yes|NO) \| promotions (\d+) \| orchestrator \[([\w,-]*)\]$/;

/** A game-day run line (gameday/report.ts runLine) read back into the result fields it prints. */
export function parseRunLine(line: string): { run: number; result: ScenarioResult } | undefined {
  const m = RUN_LINE.exec(line);
  if (!m) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const result: ScenarioResult = {
    id: m[2],
    title: "",
    counts: {
      acknowledged: n(3),
      booked: n(4),
      lost: n(5),
      lostButInDynamo: 0,
      lostInNeitherStore: Array.from({ length: n(6) }, (_, k) => `order-${k}`),
      heldInDownRegion: 0,
      bookedTwice: n(7),
      conflicts: n(8),
      leftInDlq: n(9),
      stranded: 0,
      storeMismatches: 0,
    },
    recoveredByReconcile: n(10),
    recoveryMs: m[11] === "-" ? undefined : Math.round(parseFloat(m[11]) * 1000),
    oldWriterFenced: m[12] === "-" ? undefined : m[12] === "yes",
    promotions: n(13),
    bookedOnOldWriter: 0, // not printed in a run line; the JSON report carries it
    writerRegion: "",
    failoverResults: m[14] ? m[14].split(",") : [],
    durationMs: 0,
    notes: [],
  };
  return { run: n(1), result };
}

/**
 * What a run line says that does not change from run to run: the counts that vary with timing (orders
 * acknowledged, booked, lost in the RPO window, reconciled) and the recovery time become `#`.
 */
export function runLineShape(line: string): string {
  return line
    .replace(
      /\| ack \d+ \| booked \d+ \| lost \d+(?: \(in neither store: \d+\))?/,
      "| ack # | booked # | lost #",
    )
    .replace(/\| reconciled \d+/, "| reconciled #")
    .replace(/\| recovery \d+\.\d\d s/, "| recovery # s");
}
