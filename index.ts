import { loadConfig } from "./lib/load-config";
import { TapStack } from "./lib/tap-stack";

// Config is read and validated here, once; a bad stack file stops before any resource is declared.
const config = loadConfig();
const stack = new TapStack(`tap-${config.environmentSuffix}`, { config });

// Every key of stack.outputs becomes a stack output (R4).
export = stack.outputs;
