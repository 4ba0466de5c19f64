/**
 * How Jest turns the project's TypeScript into what Node runs: swc, transpiling only (types are checked
 * once for the whole tree by `npm run typecheck`, far cheaper than in every test file). swc replaced
 * ts-jest: it transpiles a file in about a millisecond and loads no TypeScript compiler, which took a
 * fresh clone's first `npm test` about 20 s of CPU and every worker half a second.
 * Options mirror tsconfig.json: ES2022 (its class-field semantics), CommonJS, source maps inline so a
 * failure points at the .ts line.
 */

/** @swc/jest for source of one syntax ("typescript", or "ecmascript" for ES modules). */
const swcFor = (syntax) => [
  "@swc/jest",
  {
    jsc: { parser: { syntax }, target: "es2022" },
    module: { type: "commonjs" },
    sourceMaps: "inline",
  },
];

module.exports = {
  typescript: swcFor("typescript"),
  /** jose ships ES modules only; Jest runs CommonJS, so its files are transpiled like ours. */
  esModule: swcFor("ecmascript"),
};
