/**
 * The README's plan commands that write a file, run exactly as the README writes them (through npm and a
 * shell), so what a user pastes produces a clean document. Own file: these are the slowest plan runs
 * (each bundles first), and a separate file lets the other jest worker take the rest.
 */
import { readFileSync, rmSync } from "node:fs";
import * as path from "node:path";
import { OUTPUT_KEYS } from "../../lib/stack-outputs";
import { PLAN_JSON_SCHEMA_VERSION } from "../../tooling/plan/schema-version";
import { readmePlanCommands, ROOT, runAsUser } from "./as-typed";

describe("the README's plan commands, run as the README writes them", () => {
  // The commands that redirect the plan into a file.
  const redirected = readmePlanCommands().flatMap((command) => {
    const file = /> *(\S+)$/.exec(command)?.[1];
    return file ? [{ command, file }] : [];
  });

  it("the README shows the JSON and the mermaid redirect", () => {
    expect(redirected.map((r) => r.file).sort()).toEqual(["plan.json", "plan.mmd"]);
  });

  it.each(redirected)(
    "$command: stdout holds the document alone",
    ({ command, file }) => {
      const target = path.join(ROOT, file);
      try {
        const r = runAsUser(command);
        expect(r.status).toBe(0);
        const text = readFileSync(target, "utf8");
        if (file.endsWith(".json")) {
          const doc = JSON.parse(text);
          expect(doc).toMatchObject({ schemaVersion: PLAN_JSON_SCHEMA_VERSION, stack: "dev", ok: true });
          // index.ts exports the program's outputs, key for key (the tests call the program directly).
          // The default stack adds the writer lease's optional outputs (X3).
          const lease = ["witnessRegion", "witnessTableName", "writerLeaseMs"];
          expect(Object.keys(doc.outputs).sort()).toEqual([...OUTPUT_KEYS, ...lease].sort());
        } else {
          expect(text.startsWith("graph TD\n")).toBe(true);
          expect(text).toMatch(/^ {2}subgraph r\d+\["us-east-1"\]$/m);
          const opened = (text.match(/^\s*subgraph /gm) ?? []).length;
          expect((text.match(/^\s*end$/gm) ?? []).length).toBe(opened);
          // Every line is mermaid: a header, a comment, a subgraph, a node, an end or an edge.
          const odd = text
            .trimEnd()
            .split("\n")
            .filter(
              (l) =>
                !/^(graph TD|\s*%%.*|\s*subgraph \w+\[".*"\]|\s*\w+\[".*"\]|\s*end|\s*\w+ --> \w+)$/.test(l),
            );
          expect(odd).toEqual([]);
        }
        // Progress is not lost, only kept off stdout.
        expect(r.stderr).toMatch(/bundled \d+ lambda\(s\)/);
      } finally {
        rmSync(target, { force: true });
      }
    },
    180_000,
  );
});
