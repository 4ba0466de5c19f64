import { declareProgram } from "./lib/program";

// Every key of stack.outputs becomes a stack output (R4).
export = declareProgram();
