/**
 * Jest maps `typescript` here (jest.config.js, moduleNameMapper). @pulumi/pulumi's index loads the
 * TypeScript compiler eagerly, for serializing JavaScript closures into Lambdas (runtime/closure),
 * which this program never does (its Lambdas are bundles). Under Jest every test file that runs the
 * program loaded all 9 MB of it again: about 0.3 s of CPU per file. This stands in for it and loads
 * the real module on first use, so anything that does use TypeScript still gets it.
 */
const path = require("node:path");

// A path, not the name: the name is what this module stands in for.
const REAL = path.join(__dirname, "..", "..", "node_modules", "typescript");

/** Reading this key tells whether the real module is loaded yet, without loading it. */
const LOADED = Symbol.for("tap.lazy-typescript.loaded");

let real;
const load = () => (real ??= require(REAL));

module.exports = new Proxy(
  {},
  {
    get: (_target, key) => (key === LOADED ? real !== undefined : load()[key]),
    has: (_target, key) => key in load(),
    ownKeys: () => Reflect.ownKeys(load()),
    getOwnPropertyDescriptor: (_target, key) => {
      const d = Object.getOwnPropertyDescriptor(load(), key);
      return d && { ...d, configurable: true };
    },
  },
);
