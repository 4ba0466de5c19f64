/** S3: the credential-rotation part of the stack configuration, through the real parseConfig. */
import { PRODUCTION_CONFIG as PROD } from "../program";
import { parse, problemsOf } from "../support/parse-config";

describe("rotation config", () => {
  it("S3: by default the processor's credentials rotate every 30 days, in dev too", () => {
    expect(parse({}).dbCredentialRotation).toEqual({ enabled: true, automaticallyAfterDays: 30 });
    expect(parse({ dbCredentialRotationDays: "7" }).dbCredentialRotation.automaticallyAfterDays).toBe(7);
    expect(parse({ dbCredentialRotation: "false" }).dbCredentialRotation.enabled).toBe(false);
  });

  it("S3: days outside what RotationRules accepts (1..1000) are refused", () => {
    for (const days of ["0", "1001", "1.5", "monthly"]) {
      expect(problemsOf({ dbCredentialRotationDays: days })).toEqual([
        `dbCredentialRotationDays: expected an integer from 1 to 1000, got "${days}"`,
      ]);
    }
    expect(parse({ dbCredentialRotationDays: "1000" }).dbCredentialRotation.automaticallyAfterDays).toBe(
      1000,
    );
  });

  it("S3: production cannot turn rotation off, and says so with the other problems", () => {
    expect(parse(PROD).dbCredentialRotation.enabled).toBe(true);
    expect(problemsOf({ ...PROD, dbCredentialRotation: "false", dbCredentialRotationDays: "0" })).toEqual([
      "dbCredentialRotation: production requires the processor's database credentials to rotate",
      'dbCredentialRotationDays: expected an integer from 1 to 1000, got "0"',
    ]);
  });
});
