import { loadConfig } from "./load-config";
import { stackName } from "./names";
import { TapStack } from "./tap-stack";

/**
 * The whole program, as a function: index.ts exports what one call returns. The tests call it once per
 * configuration in one module registry, instead of reloading @pulumi/aws to re-run index.ts.
 */
export function declareProgram(): TapStack["outputs"] {
  // Config is read and validated here, once; a bad stack file stops before any resource is declared.
  const config = loadConfig();
  const stack = new TapStack(stackName(config), { config });
  return stack.outputs;
}
