import { RDSClient } from "@aws-sdk/client-rds";
import { intFromEnv, toEnvironment } from "../../../lambda/shared/env";
import { rdsClientCache } from "../../../lambda/shared/rds-clients";

describe("the one integer-env parser", () => {
  it("P9: unset or blank falls back to the default; a valid integer in range is returned", () => {
    expect(intFromEnv({}, "N", 7, 1, 10)).toBe(7);
    expect(intFromEnv({ N: "  " }, "N", 7, 1, 10)).toBe(7);
    expect(intFromEnv({ N: " 10 " }, "N", 7, 1, 10)).toBe(10);
  });

  it("P9: garbage, fractions, hex, exponents and out-of-range values throw, naming the key", () => {
    for (const raw of ["abc", "1.5", "0x10", "1e3", "11", "0"]) {
      expect(() => intFromEnv({ N: raw }, "N", 7, 1, 10)).toThrow(
        `N: expected an integer from 1 to 10, got "${raw}"`,
      );
    }
  });

  it("P9: with a problems list it records every problem and returns the default instead of throwing", () => {
    const problems: string[] = [];
    expect(intFromEnv({ A: "x" }, "A", 1, 0, 5, problems)).toBe(1);
    expect(intFromEnv({ B: "9" }, "B", 2, 0, 5, problems)).toBe(2);
    expect(problems).toEqual([
      'A: expected an integer from 0 to 5, got "x"',
      'B: expected an integer from 0 to 5, got "9"',
    ]);
  });
});

it("P9: toEnvironment writes every setting of a contract under its key", () => {
  expect(toEnvironment({ a: "KEY_A", b: "KEY_B" }, { a: "1", b: "2" })).toEqual({ KEY_A: "1", KEY_B: "2" });
});

it("P9: the RDS client cache makes one client per region and role, and reuses it", () => {
  const made: string[] = [];
  const clientFor = rdsClientCache((region, remote) => {
    made.push(`${region}:${remote}`);
    return new RDSClient({ region });
  });
  const local = clientFor("us-west-2");
  expect(clientFor("us-west-2", false)).toBe(local);
  const remote = clientFor("us-east-1", true);
  expect(clientFor("us-east-1", true)).toBe(remote);
  expect(remote).not.toBe(local);
  expect(made).toEqual(["us-west-2:false", "us-east-1:true"]);
});
