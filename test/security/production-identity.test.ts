/**
 * S5: a production stack refuses placeholder identity settings (reserved names that never issue a real
 * token), with one message naming the keys to set; dev stacks keep working offline with any issuer.
 */
import { isPlaceholderHost } from "../../lib/config/security";
import { PRODUCTION_CONFIG, runProgram } from "../program";
import { parse, problemsOf } from "../support/parse-config";

const PROD = { ...PRODUCTION_CONFIG };

describe("production identity provider (S5)", () => {
  it.each([
    ["https://idp.invalid/", true],
    ["https://idp.example.com/", true],
    ["https://example.org/", true],
    ["https://login.example/", true],
    ["https://idp.test/", true],
    ["https://localhost/", true],
    ["https://sso.tap-trading.net/", false],
    ["https://login.microsoftonline.com/tenant/v2.0", false],
    ["https://examples.com/", false],
  ])("S5: %s is a placeholder: %s", (url, placeholder) => {
    expect(isPlaceholderHost(url)).toBe(placeholder);
  });

  it("S5: production with a placeholder issuer and JWKS URL is refused with one message naming both keys", () => {
    expect(
      problemsOf({
        ...PROD,
        authIssuer: "https://idp.invalid/",
        authJwksUrl: "https://idp.example.com/jwks",
      }),
    ).toEqual([
      "authIssuer and authJwksUrl: production needs your identity provider's real issuer " +
        '(now "https://idp.invalid/", a reserved placeholder name) and JWKS URL ' +
        '(now "https://idp.example.com/jwks", a reserved placeholder name); ' +
        "set tap:authIssuer and tap:authJwksUrl in Pulumi.<stack>.yaml, or every POST /orders gets 401",
    ]);
  });

  it("S5: only the placeholder key is named when the other is real", () => {
    const problems = problemsOf({ ...PROD, authJwksUrl: "https://idp.invalid/jwks" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^authJwksUrl: production needs .*; set tap:authJwksUrl in/);
  });

  it("S5: a dev stack keeps working offline with a placeholder issuer", () => {
    const dev = {
      ...PROD,
      production: "false",
      environmentSuffix: "dev",
      authIssuer: "https://idp.invalid/",
    };
    expect(parse(dev).security.auth).toMatchObject({ mode: "jwt", issuer: "https://idp.invalid/" });
  });

  it("S5: the program itself (what `pulumi up` runs) refuses a production placeholder", async () => {
    await expect(runProgram({ ...PROD, authIssuer: "https://idp.invalid/" }, "prod")).rejects.toThrow(
      /authIssuer: production needs your identity provider's real issuer/,
    );
  });
});
