/**
 * Imports point down. The layers, lowest first: lambda/ (function code and the contracts both sides import),
 * lib/config/ (what a stack may be configured with, and the parsers that check it), the components in
 * lib/<folder>/, then the program (lib/program.ts, lib/tap-stack.ts, index.ts). Tooling, the game day and the
 * tests sit beside the program and may import anything; production code imports none of them.
 */
import { readdirSync, readFileSync, statSync, existsSync } from "node:fs";
import { dirname, join, normalize } from "node:path";

const ROOT = join(__dirname, "..");

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const rel = join(dir, name);
    if (statSync(join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|js|mjs)$/.test(name) ? [rel] : [];
  });
}

/** The repo-relative files a source file imports through relative specifiers (packages are not layers). */
function localImports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), "utf8");
  const specs = [...text.matchAll(/(?:from|import|require\()\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]);
  return specs.map((spec) => {
    const base = normalize(join(dirname(file), spec));
    const hit = [`${base}.ts`, join(base, "index.ts"), `${base}.js`, base].find(
      (c) => existsSync(join(ROOT, c)) && statSync(join(ROOT, c)).isFile(),
    );
    return hit ?? base;
  });
}

function violations(files: readonly string[], allowed: (target: string) => boolean): string[] {
  return files.flatMap((f) =>
    localImports(f)
      .filter((t) => !allowed(t))
      .map((t) => `${f} -> ${t}`),
  );
}

const under = (folder: string) => (path: string) => path.startsWith(`${folder}/`);

describe("layering: imports point down", () => {
  test("lib/config/ imports only lib/config/, the pure lib/closest.ts and lambda/ contracts, never a component", () => {
    const allowed = (t: string) => under("lib/config")(t) || t === "lib/closest.ts" || under("lambda")(t);
    expect(violations(sourceFiles("lib/config"), allowed)).toEqual([]);
  });

  test("lambda/ code imports only lambda/ (a bundle never pulls in the Pulumi program)", () => {
    expect(violations(sourceFiles("lambda"), under("lambda"))).toEqual([]);
  });

  test("production code (lib/, lambda/, index.ts) never imports tests, tooling, the game day or scripts", () => {
    const offLimits = ["test", "tooling", "gameday", "scripts"].map(under);
    const files = [...sourceFiles("lib"), ...sourceFiles("lambda"), "index.ts"];
    expect(violations(files, (t) => !offLimits.some((inside) => inside(t)))).toEqual([]);
  });

  test("no import cycle between lib/ modules, type-only imports included", () => {
    const files = sourceFiles("lib");
    const edges = new Map(files.map((f) => [f, localImports(f).filter(under("lib"))]));
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, path: readonly string[]): void => {
      if (state.get(f) === "done") return;
      if (state.get(f) === "open") {
        cycles.push([...path.slice(path.indexOf(f)), f].join(" -> "));
        return;
      }
      state.set(f, "open");
      for (const t of edges.get(f) ?? []) visit(t, [...path, f]);
      state.set(f, "done");
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
