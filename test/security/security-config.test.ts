/** S1, S2, S7: the security part of the stack configuration, through the real parseConfig. */
import { parse, problemsOf } from "../support/parse-config";

const JWT = {
  authMode: "jwt",
  authIssuer: "https://idp.example.com/",
  authAudience: "tap-orders",
  authJwksUrl: "https://idp.example.com/.well-known/jwks.json",
};

describe("security config", () => {
  it("S1: a default (dev) stack needs no identity provider: iam mode, WAF on, owns the account setting", () => {
    expect(parse({}).security).toEqual({
      auth: { mode: "iam", entitledAccounts: [] },
      waf: { enabled: true, rateLimitPer5Min: 600_000 },
      manageApiGatewayAccount: true,
      orderQueueOperatorArns: [],
    });
  });

  it("S1: jwt mode reads issuer, audience, JWKS URL, claim and cache TTL", () => {
    expect(
      parse({ ...JWT, authResultTtlSeconds: "60", authAccountsClaim: "tap:accounts" }).security.auth,
    ).toEqual({
      mode: "jwt",
      issuer: "https://idp.example.com/",
      audience: "tap-orders",
      jwksUrl: "https://idp.example.com/.well-known/jwks.json",
      accountsClaim: "tap:accounts",
      resultTtlSeconds: 60,
      maxTokenAgeSeconds: 3600,
    });
  });

  it("S4: tokens have a bounded age: one hour by default, 300..86400 s when set", () => {
    expect(parse({ ...JWT, authMaxTokenAgeSeconds: "900" }).security.auth).toMatchObject({
      maxTokenAgeSeconds: 900,
    });
    expect(problemsOf({ ...JWT, authMaxTokenAgeSeconds: "0" })).toEqual([
      'authMaxTokenAgeSeconds: expected an integer from 300 to 86400, got "0"',
    ]);
    expect(problemsOf({ ...JWT, authMaxTokenAgeSeconds: "604800" })).toEqual([
      'authMaxTokenAgeSeconds: expected an integer from 300 to 86400, got "604800"',
    ]);
  });

  it("S1: jwt mode without its settings, or with http URLs, lists every problem", () => {
    expect(problemsOf({ authMode: "jwt" })).toEqual([
      "authAudience: required when authMode is jwt",
      "authIssuer: required when authMode is jwt",
      "authJwksUrl: required when authMode is jwt",
    ]);
    expect(problemsOf({ ...JWT, authJwksUrl: "http://idp.example.com/jwks" })).toEqual([
      'authJwksUrl: "http://idp.example.com/jwks" must be an https:// URL',
    ]);
  });

  it("S1: the authorizer cache TTL is bounded by API Gateway's 3600 s", () => {
    expect(problemsOf({ ...JWT, authResultTtlSeconds: "3601" })).toEqual([
      'authResultTtlSeconds: expected an integer from 0 to 3600, got "3601"',
    ]);
    expect(parse({ ...JWT, authResultTtlSeconds: "0" }).security.auth).toMatchObject({ resultTtlSeconds: 0 });
  });

  it("S1: production cannot use iam mode; S2: nor turn the web ACL off", () => {
    expect(problemsOf({ production: "true", wafEnabled: "false" })).toEqual([
      "authMode: production needs jwt; iam mode is for dev stacks only (SigV4 is signed per region, so clients break on failover)",
      "wafEnabled: production requires the web ACL",
    ]);
    const realIdp = {
      authIssuer: "https://sso.tap-trading.net/",
      authJwksUrl: "https://sso.tap-trading.net/jwks",
    };
    expect(parse({ ...JWT, ...realIdp, production: "true" }).security.waf.enabled).toBe(true);
  });

  it("S1: iam mode's entitled accounts are account ids", () => {
    expect(parse({ iamEntitledAccounts: "ACC-1, ACC-2" }).security.auth).toEqual({
      mode: "iam",
      entitledAccounts: ["ACC-1", "ACC-2"],
    });
    expect(problemsOf({ iamEntitledAccounts: "ok,not ok" })).toEqual([
      "iamEntitledAccounts: not ok are not account ids",
    ]);
    expect(problemsOf({ authMode: "cognito" })).toEqual(['authMode: "cognito" is not one of jwt, iam']);
  });

  it("S5: a WAF per-IP limit below what the API serves one client (2000/s over 5 minutes) is refused", () => {
    expect(problemsOf({ wafRateLimit: "2000" })).toEqual([
      "wafRateLimit: 2000 requests per 5 minutes (6.7/s per IP) is below what the API serves one client " +
        "(2000/s = 600000 per 5 minutes); set it to at least 600000",
    ]);
    expect(problemsOf({ wafRateLimit: "599999" })).toHaveLength(1);
    expect(parse({ wafRateLimit: "600000" }).security.waf.rateLimitPer5Min).toBe(600_000);
    expect(parse({ wafRateLimit: "2000000000" }).security.waf.rateLimitPer5Min).toBe(2_000_000_000);
  });

  it("S2: the rate limit is within WAF's 10..2,000,000,000", () => {
    expect(problemsOf({ wafRateLimit: "9" })).toEqual([
      'wafRateLimit: expected an integer from 10 to 2000000000, got "9"',
    ]);
  });
});
