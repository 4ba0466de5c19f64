import { loadConfig } from "./load-config";
import { stackName } from "./names";
import { TapStack } from "./tap-stack";

/**
 * The whole program, as a function: index.ts exports what one call returns. The tests call it once per
 * configuration in one module registry, instead of reloading @pulumi/aws to re-run index.ts.
 *
 * Async because the stack reads where the Aurora writer is (M2): when that refuses the deploy, the
 * program fails with its message. https://www.pulumi.com/docs/iac/languages-sdks/javascript/#entrypoint
 */
export async function declareProgram(): Promise<TapStack["outputs"]> {
  // Config is read and validated here, once; a bad stack file stops before any resource is declared.
  const config = loadConfig();
  const stack = new TapStack(stackName(config), { config });
  await stack.processingRegion;
  return stack.outputs;
}
