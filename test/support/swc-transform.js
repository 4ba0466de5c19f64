/**
 * How Jest turns the project's TypeScript into what Node runs: swc, transpiling only (types are checked
 * once for the whole tree by `npm run typecheck`, far cheaper than in every test file). swc replaced
 * ts-jest: it transpiles a file in about a millisecond and loads no TypeScript compiler, which took a
 * fresh clone's first `npm test` about 20 s of CPU and every worker half a second.
 * Options mirror tsconfig.json: ES2022 (its class-field semantics), CommonJS, source maps inline so a
 * failure points at the .ts line.
 */
const typescript = [
  "@swc/jest",
  {
    jsc: { parser: { syntax: "typescript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  },
];

/** jose ships ES modules only; Jest runs CommonJS, so its files are transpiled like ours. */
const esModule = [
  "@swc/jest",
  {
    jsc: { parser: { syntax: "ecmascript" }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  },
];

module.exports = { typescript, esModule };
