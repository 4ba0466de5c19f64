/**
 * The order path of the dev stack as the program declares it, recorded once per process under the mocks
 * (tooling/mocks/program-run.ts): what `npm run gameday` builds its worlds from. Tests pass the wiring of
 * their own shared program run instead (test/program.ts), so the program runs once per test run.
 */
import { recordProgram } from "../tooling/mocks/program-run";
import { orderPathWiring, type OrderPathWiring } from "./wiring";

let dev: Promise<OrderPathWiring> | undefined;

export function devWiring(): Promise<OrderPathWiring> {
  dev ??= recordProgram({}, "dev").then((run) => orderPathWiring(run.resources));
  return dev;
}
