/**
 * The game day's policy evaluator (@cloud-copilot/iam-simulate) is AGPL-3.0: a test-time dependency
 * only. Every Lambda bundle's stamp lists each input esbuild read; none may come from it, nor from the
 * day-one world that uses it.
 */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { BUNDLE_ROOT } from "../../lib/compute/bundle-root";

it("D3: no Lambda bundle includes the AGPL policy evaluator or the game day", () => {
  const stamps = readdirSync(BUNDLE_ROOT).filter((f) => f.endsWith(".stamp.json"));
  expect(stamps.length).toBeGreaterThanOrEqual(8);
  const offending = stamps.flatMap((f) => {
    const { inputs } = JSON.parse(readFileSync(path.join(BUNDLE_ROOT, f), "utf8")) as {
      inputs: Record<string, unknown>;
    };
    return Object.keys(inputs)
      .filter((i) => i.includes("@cloud-copilot/") || i.startsWith("gameday/") || i.startsWith("tooling/"))
      .map((i) => `${f}: ${i}`);
  });
  expect(offending).toEqual([]);
});
