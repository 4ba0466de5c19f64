import { loadConfig } from "./lib/load-config";
import { stackName } from "./lib/names";
import { TapStack } from "./lib/tap-stack";

// Config is read and validated here, once; a bad stack file stops before any resource is declared.
const config = loadConfig();
const stack = new TapStack(stackName(config), { config });

// Every key of stack.outputs becomes a stack output (R4).
export = stack.outputs;
