/**
 * M1: each run-time owned attribute is left alone by updates (ignoreChanges, exact lists), and
 * docs/ownership.md has a row, with its source, for every attribute the program ignores and every one
 * the drift model changes.
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { runProgram, type ProgramRun } from "../program";
import { CLUSTER, HEALTH_CHECK, MAPPING, RUNTIME_CHANGED } from "./refreshed-state";

const TABLE = readFileSync(path.join(__dirname, "..", "..", "docs", "ownership.md"), "utf8")
  .split("\n")
  .filter((line) => line.startsWith("| ") && !line.startsWith("| ---"));

let run: ProgramRun;
beforeAll(async () => {
  run = await runProgram();
}, 120_000);

const ignoredBy = (type: string) => [...new Set(run.of(type).map((r) => JSON.stringify(r.ignoreChanges)))];

describe("M1: updates leave run-time owned attributes alone", () => {
  it("M1: both Aurora members ignore what moves with the roles; instances leave the version to the global cluster", () => {
    expect(run.of(CLUSTER)).toHaveLength(2);
    expect(ignoredBy(CLUSTER)).toEqual([
      JSON.stringify([
        "replicationSourceIdentifier",
        "globalClusterIdentifier",
        "engineVersion",
        "masterUsername",
      ]),
    ]);
    expect(ignoredBy("aws:rds/clusterInstance:ClusterInstance")).toEqual([JSON.stringify(["engineVersion"])]);
  });

  it("M1: all four event source mappings leave `enabled` to the orchestrator", () => {
    expect(run.of(MAPPING)).toHaveLength(4);
    expect(ignoredBy(MAPPING)).toEqual([JSON.stringify(["enabled"])]);
  });

  it("X3: the writer lease item leaves its body (the holder) to the orchestrator after it is created", () => {
    const items = run.of("aws:dynamodb/tableItem:TableItem");
    expect(items).toHaveLength(1);
    expect(ignoredBy("aws:dynamodb/tableItem:TableItem")).toEqual([JSON.stringify(["item"])]);
    expect(JSON.parse(items[0].inputs.item as string)).toEqual({
      lease: { S: "order-writer" },
      holder: { S: "us-east-1" },
      epoch: { N: "1" },
    });
  });

  it("M1: both health checks leave inversion and disabling to the operator, and start neither", () => {
    const checks = run.of(HEALTH_CHECK);
    expect(checks).toHaveLength(2);
    expect(ignoredBy(HEALTH_CHECK)).toEqual([JSON.stringify(["invertHealthcheck", "disabled"])]);
    expect(checks.map((c) => [c.inputs.invertHealthcheck, c.inputs.disabled])).toEqual([
      [false, false],
      [false, false],
    ]);
  });
});

describe("M1: docs/ownership.md covers every run-time owned attribute", () => {
  it("M1: every ignored attribute and every attribute the drift model changes has a row with a source", () => {
    const owned = [
      ...run.resources.flatMap((r) => r.ignoreChanges.map((property) => ({ type: r.type, property }))),
      ...RUNTIME_CHANGED,
    ];
    const missing = owned.filter(
      ({ type, property }) =>
        !TABLE.some((row) => row.includes(`(\`${type}\`)`) && row.includes(`| \`${property}\``)),
    );
    expect([...new Set(missing.map((m) => `${m.type} ${m.property}`))]).toEqual([]);
  });

  it("M1: each row of the table cites an AWS or provider page", () => {
    const rows = TABLE.slice(1);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.filter((row) => !/\]\(https:\/\/[^)]+\)/.test(row))).toEqual([]);
  });
});
