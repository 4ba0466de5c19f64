/**
 * S1 day one: IAM mode with no entitled accounts is valid and safe, and books nothing (every order is
 * parked as not entitled). The plan says so instead of leaving it to the first order.
 */
import { securityWarnings } from "../../lib/config/security";
import { parse } from "../support/parse-config";

const warningsFor = (config: Record<string, string>) => securityWarnings(parse(config).security);

describe("securityWarnings", () => {
  it("S1: IAM mode with no iamEntitledAccounts warns that every order will be parked as not entitled", () => {
    expect(warningsFor({})).toEqual([
      "authMode iam with no iamEntitledAccounts: every order is accepted by the API and then parked as not " +
        "entitled (OrdersNotEntitled); set tap:iamEntitledAccounts to the accounts IAM callers may trade",
    ]);
  });

  it("S1: IAM mode with entitled accounts, or JWT mode, warns of nothing", () => {
    expect(warningsFor({ iamEntitledAccounts: "111122223333" })).toEqual([]);
    expect(
      securityWarnings({
        auth: {
          mode: "jwt",
          issuer: "https://sso.example.net/",
          audience: "tap-orders",
          jwksUrl: "https://sso.example.net/jwks.json",
          accountsClaim: "accounts",
          resultTtlSeconds: 300,
          maxTokenAgeSeconds: 3600,
        },
      }),
    ).toEqual([]);
  });
});
