import { declareProgram } from "./lib/program";

// Pulumi calls the exported function and makes every key of what it resolves to a stack output (R4).
// https://www.pulumi.com/docs/iac/languages-sdks/javascript/#entrypoint
export = declareProgram;
