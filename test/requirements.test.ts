/** The requirement list lives in the project (docs/requirements.md), and tests name IDs that it lists. */
import { readdirSync, readFileSync } from "node:fs";
import * as path from "node:path";

const ROOT = path.join(__dirname, "..");
const SKIP = new Set(["node_modules", ".git", "dist", "bin", "coverage"]);

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    if (SKIP.has(d.name)) return [];
    const p = path.join(dir, d.name);
    return d.isDirectory() ? files(p) : /\.(ts|js|mjs|md|ya?ml|json)$/.test(d.name) ? [p] : [];
  });
}

const listed = new Set(
  [...readFileSync(path.join(ROOT, "docs", "requirements.md"), "utf8").matchAll(/^\| ([A-Z]\d+) +\|/gm)].map(
    (m) => m[1],
  ),
);

it("docs/requirements.md lists every ID family: R, P, B, L, F, G, S, O, X, D and M", () => {
  const families = new Set([...listed].map((id) => id[0]));
  expect([..."RPBLFGSOXDM"].filter((f) => !families.has(f))).toEqual([]);
  expect(listed.has("R25")).toBe(true);
  expect(listed.has("O2")).toBe(true);
});

it("nothing points outside the project for requirements (a clone has no ../shared/)", () => {
  const outside = files(ROOT)
    .filter((f) => f !== __filename)
    .filter((f) => /shared\/REQUIREMENTS|\.\.\/shared\/[A-Z]/.test(readFileSync(f, "utf8")));
  expect(outside.map((f) => path.relative(ROOT, f))).toEqual([]);
});

it("every requirement ID a test is named after is in docs/requirements.md", () => {
  const named = new Set<string>();
  for (const f of files(path.join(ROOT, "test")).filter((x) => x.endsWith(".ts"))) {
    for (const m of readFileSync(f, "utf8").matchAll(
      /\b(?:it|test|describe)(?:\.\w+)*\(\s*["'`]([A-Z]\d+)(?:[,/ ]+[A-Z]\d+)*:/g,
    ))
      named.add(m[1]);
  }
  expect(named.size).toBeGreaterThan(20);
  expect([...named].filter((id) => !listed.has(id))).toEqual([]);
});
