/**
 * The README's plan commands that print to the terminal, each run once exactly as the README writes it
 * (through npm and a shell, bundling first), so what a user pastes works. The redirects are in
 * readme-commands.test.ts; a file each lets the two jest workers run them side by side. What the plan
 * prints in detail is tested in-process in cli.test.ts.
 */
import { readmePlanCommands, runAsUser } from "./as-typed";

const STACK_FILE_COMMANDS = ["npm run plan"];
/** Pulumi.prod.yaml ships placeholder identity settings: its plan refuses until they are set (S5). */
const PROD = "npm run plan -- --stack prod";
const BROKEN_TARGET = "npm run plan -- --config rtoTargetSeconds=60";

describe("the README's plan commands for the terminal, run as the README writes them", () => {
  it("B1: the README shows these three (a new one needs its test here)", () => {
    const terminal = readmePlanCommands().filter((c) => !c.includes(">"));
    expect(terminal).toEqual([...STACK_FILE_COMMANDS, PROD, BROKEN_TARGET]);
  });

  it(`S5: ${PROD} refuses (exit 2) and names the placeholder identity keys to set`, () => {
    const r = runAsUser(PROD);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(
      "authIssuer and authJwksUrl: production needs your identity provider's real issuer " +
        '(now "https://idp.invalid/", a reserved placeholder name) and JWKS URL ' +
        '(now "https://idp.invalid/.well-known/jwks.json", a reserved placeholder name); ' +
        "set tap:authIssuer and tap:authJwksUrl in Pulumi.<stack>.yaml, or every POST /orders gets 401",
    );
  }, 180_000);

  it.each(STACK_FILE_COMMANDS)(
    "B1: %s prints the whole plan for its stack and passes",
    (command) => {
      const stack = command.includes("--stack prod") ? "prod" : "dev";
      const r = runAsUser(command);
      expect(r.status).toBe(0);
      for (const section of [
        `== Resources (stack ${stack}) ==`,
        "== Summary ==",
        "== Outputs ==",
        "== DR budget ==",
        "== Policy ==",
      ]) {
        expect(r.stdout).toContain(section);
      }
      expect(r.stdout).toMatch(new RegExp(`\\nplan OK\\nplan ${stack}: \\d+ resources, \\d+\\.\\d s\\n$`));
      // The bundler's progress is on stderr, not lost.
      expect(r.stderr).toMatch(/bundled \d+ lambda\(s\)/);
    },
    180_000,
  );

  it(`B3: ${BROKEN_TARGET} fails (exit 1) and says which target broke`, () => {
    const r = runAsUser(BROKEN_TARGET);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(/FAILED: RTO \d+ s exceeds the 60 s target/);
  }, 180_000);
});
