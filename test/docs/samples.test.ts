/**
 * O4: every sample output in the README (and the pages split from it) names what produced it and is
 * compared with the program, so none can go stale. The plan samples are compared with a plan run in
 * test/plan/cli.test.ts, the game-day run lines with real runs in test/gameday/scenario-set.ts.
 */
import { existsSync } from "node:fs";
import * as path from "node:path";
import { runLine, summarise, summaryTable } from "../../gameday/report";
import { SCENARIO_IDS } from "../../gameday/scenarios";
import {
  docSamples,
  parseRunLine,
  ROOT,
  SAMPLE_DOCS,
  SAMPLE_KINDS,
  samplesOf,
  type DocSample,
} from "./samples";

const where = (s: DocSample) => `${s.file}:${s.line}`;

it("O4: every ```text block in the README and its pages is a sample of a kind a test compares", () => {
  const unchecked = SAMPLE_DOCS.flatMap(docSamples)
    .filter((s) => !SAMPLE_KINDS.includes(s.kind as never))
    .map((s) => `${where(s)}: ${s.kind ?? "no <!-- sample: … --> line above it"}`);
  expect(unchecked).toEqual([]);
  // The README shows at least the plan; the game day's page its report.
  expect(samplesOf("plan dev").map((s) => s.file)).toContain("README.md");
  expect(samplesOf("gameday").map((s) => s.file)).toEqual(["docs/gameday.md"]);
});

describe("O4: the README's layout", () => {
  const [layout] = samplesOf("layout");
  const paths = layout.lines.map((l) => l.split(/\s+/)[0]);

  it("names only paths that exist", () => {
    expect(paths.filter((p) => !existsSync(path.join(ROOT, p)))).toEqual([]);
  });

  it("names every top-level folder of the program", () => {
    const topLevel = [
      "lib/",
      "lambda/",
      "policy/",
      "tooling/",
      "scripts/",
      "gameday/",
      "test/",
      "migrations/",
      "docs/",
    ];
    expect(topLevel.filter((d) => !paths.includes(d))).toEqual([]);
  });
});

describe("O4: docs/gameday.md's sample is the game day's own report", () => {
  const [sample] = samplesOf("gameday");
  const parsed = sample.lines.map((l) => ({ line: l, run: parseRunLine(l) }));
  const runs = parsed.flatMap((p) => (p.run ? [p.run] : []));
  const table = sample.lines.slice(sample.lines.indexOf("") + 1);

  it("each run line is exactly what gameday/report.ts prints for the values it shows", () => {
    expect(runs.map((r) => runLine(r.result, r.run))).toEqual(parsed.filter((p) => p.run).map((p) => p.line));
    // Run lines, one blank line, then the summary table: nothing else.
    expect(sample.lines.length).toBe(runs.length + 1 + table.length);
  });

  it("one run of every scenario the game day has", () => {
    expect(runs.map((r) => r.result.id).sort()).toEqual([...SCENARIO_IDS].sort());
  });

  it("the summary table is the one the program makes from those runs", () => {
    const order = SCENARIO_IDS.filter((id) => runs.some((r) => r.result.id === id));
    const results = order.map((id) => runs.find((r) => r.result.id === id)!.result);
    expect(table.join("\n")).toBe(summaryTable(summarise(results)));
  });
});
