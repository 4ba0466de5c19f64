import { readFileSync } from "node:fs";
import * as path from "node:path";
import { closest, editDistance } from "../lib/closest";
import { CONFIG_DEFAULTS, CONFIG_KEYS, parseConfig } from "../lib/config";
import { SECURITY_DEFAULTS, SECURITY_OPTIONAL_KEYS } from "../lib/config/security";
import { ROTATION_DEFAULTS } from "../lib/config/rotation";
import { CONVERGENCE_DEFAULTS } from "../lib/config/convergence";
import { parse, problemsOf } from "./support/parse-config";

describe("P1: typed, validated config", () => {
  it("P1: defaults produce the documented dev configuration", () => {
    const cfg = parse({});
    expect(cfg).toMatchObject({
      environmentSuffix: "dev",
      primaryRegion: "us-east-1",
      secondaryRegion: "us-west-2",
      primaryVpcCidr: "10.10.0.0/16",
      secondaryVpcCidr: "10.20.0.0/16",
      production: false,
      healthCheckIntervalSeconds: 30,
      healthCheckFailureThreshold: 3,
      dbEngineVersion: "15.14",
    });
    expect(cfg.alertEmail).toBeUndefined();
  });

  it("P1: typed values are parsed from strings", () => {
    const cfg = parse({
      production: "true",
      logRetentionDays: "365",
      alertEmail: "ops@example.com",
      // production needs a JWT issuer (S1)
      authMode: "jwt",
      authIssuer: "https://sso.tap-trading.net/",
      authAudience: "tap-orders",
      authJwksUrl: "https://sso.tap-trading.net/jwks.json",
    });
    expect(cfg.production).toBe(true);
    expect(cfg.logRetentionDays).toBe(365);
    expect(cfg.alertEmail).toBe("ops@example.com");
  });

  it("P1: equal regions are rejected", () => {
    expect(problemsOf({ secondaryRegion: "us-east-1" })).toEqual([
      'primaryRegion and secondaryRegion are both "us-east-1"; DR needs two regions',
    ]);
  });

  it("X3: the writer lease is on by default, its witness in us-east-2; off, there is no witness Region", () => {
    expect(parse({}).witnessRegion).toBe("us-east-2");
    expect(parse({ writerLease: "false" }).witnessRegion).toBeUndefined();
    expect(parse({ witnessRegion: "eu-west-1" }).witnessRegion).toBe("eu-west-1");
  });

  it("X3: a witness in an order Region, or an unknown one, is rejected with the other problems", () => {
    expect(problemsOf({ primaryRegion: "us-east-2", writerLease: "yes" })).toEqual([
      'writerLease: expected true or false, got "yes"',
      'witnessRegion: "us-east-2" is an order Region; the writer lease\'s witness needs a third Region (X3), or set tap:writerLease false to deploy without fencing',
    ]);
    expect(problemsOf({ witnessRegion: "us-west-2" })).toHaveLength(1);
    expect(problemsOf({ witnessRegion: "mars-1" })[0]).toMatch(
      /^witnessRegion: "mars-1" is not one of us-east-1, /,
    );
    expect(parse({ primaryRegion: "us-east-2", writerLease: "false" }).witnessRegion).toBeUndefined();
  });

  it("P1: an unknown region is rejected", () => {
    const problems = problemsOf({ primaryRegion: "us-east-9" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^primaryRegion: "us-east-9" is not one of us-east-1, /);
  });

  it.each([["10.0.0/16"], ["10.0.0.1/16"], ["300.0.0.0/16"], ["10.0.0.0/33"], ["banana"]])(
    "P1: malformed CIDR %s is rejected",
    (cidr) => {
      expect(problemsOf({ primaryVpcCidr: cidr })).toEqual([
        `primaryVpcCidr: "${cidr}" is not a valid IPv4 CIDR block (network address/prefix)`,
      ]);
    },
  );

  it("P1: a CIDR too small for the subnets is rejected", () => {
    expect(problemsOf({ secondaryVpcCidr: "10.20.0.0/24" })).toEqual([
      "secondaryVpcCidr: prefix /24 is outside /16 to /22",
    ]);
  });

  it("P1: overlapping VPC CIDRs across regions are rejected", () => {
    const problems = problemsOf({ primaryVpcCidr: "10.0.0.0/16", secondaryVpcCidr: "10.0.128.0/20" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /primaryVpcCidr 10\.0\.0\.0\/16 and secondaryVpcCidr 10\.0\.128\.0\/20 overlap/,
    );
  });

  it("P1: an empty suffix is rejected", () => {
    expect(problemsOf({ environmentSuffix: "" })).toEqual(["environmentSuffix: must not be empty"]);
  });

  it.each([
    ["Prod"],
    ["dev_1"],
    ["dev.1"],
    ["1dev"],
    ["way-too-long-suffix"],
    ["dev 1"],
    ["qa-"],
    ["a--b"],
    ["-qa"],
    ["abcdefghijk"],
  ])("P1: suffix %s with characters AWS names reject is rejected", (suffix) => {
    const problems = problemsOf({ environmentSuffix: suffix });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(`environmentSuffix: "${suffix}" must start with a lowercase letter`);
  });

  it.each([["a"], ["qa"], ["a-b"], ["abcdefghij"], ["qa-1"], ["pr-12-x9"]])(
    "S6: suffix %s, which every name it flows into accepts, is accepted",
    (suffix) => {
      expect(parse({ environmentSuffix: suffix }).environmentSuffix).toBe(suffix);
    },
  );

  it("P1: every problem is reported in one message", () => {
    let message = "";
    try {
      parse({
        environmentSuffix: "",
        primaryRegion: "mars-1",
        primaryVpcCidr: "10.0.0.0/8",
        logRetentionDays: "42",
        healthCheckIntervalSeconds: "20",
        dbEngineVersion: "16.4",
        canaryRuntimeVersion: "syn-nodejs-puppeteer-6.2",
        production: "yes",
      });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid stack configuration \(8 problem\(s\)\):/);
    for (const key of [
      "environmentSuffix",
      "primaryRegion",
      "primaryVpcCidr",
      "logRetentionDays",
      "healthCheckIntervalSeconds",
      "dbEngineVersion",
      "canaryRuntimeVersion",
      "production",
    ]) {
      expect(message).toContain(`\n  - ${key}`);
    }
  });

  it("R7: withdrawn Aurora 15 minors such as 15.4 are rejected", () => {
    expect(problemsOf({ dbEngineVersion: "15.4" })[0]).toMatch(/15\.4 is no longer offered/);
  });

  it("P1: burstable instance classes are rejected for the global database", () => {
    expect(problemsOf({ dbInstanceClass: "db.t4g.medium" })[0]).toMatch(
      /^dbInstanceClass: "db.t4g.medium" is not a class/,
    );
  });

  it("P1: apiDomainName needs a hosted zone and must sit inside it", () => {
    expect(problemsOf({ apiDomainName: "api.example.com" })).toEqual([
      "apiDomainName: needs hostedZoneName, the zone the failover records go into",
    ]);
    expect(problemsOf({ hostedZoneName: "example.com", apiDomainName: "api.other.com" })).toEqual([
      'apiDomainName: "api.other.com" must be a name inside example.com',
    ]);
  });

  it("P1: every default in Pulumi.yaml matches the loader's default", () => {
    const yaml = readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8");
    const declared = new Map<string, string>();
    let current = "";
    for (const line of yaml.split("\n")) {
      const key = /^ {2}([A-Za-z0-9]+):\s*$/.exec(line);
      if (key) current = key[1];
      const def = /^ {4}default:\s*(.*)$/.exec(line);
      if (def && current) declared.set(current, def[1].replace(/^"(.*)"$/, "$1"));
    }
    const expected: Record<string, string> = {
      ...Object.fromEntries(
        Object.entries({
          ...CONFIG_DEFAULTS,
          ...SECURITY_DEFAULTS,
          ...ROTATION_DEFAULTS,
          ...CONVERGENCE_DEFAULTS,
        }).map(([k, v]) => [k, String(v)]),
      ),
      ...Object.fromEntries(SECURITY_OPTIONAL_KEYS.map((k) => [k, ""])),
      alertEmail: "",
      hostedZoneName: "",
      apiDomainName: "",
    };
    expect(Object.fromEntries(declared)).toEqual(expected);
  });
});

describe("P1: typos in config keys", () => {
  it("P1: an unknown key is an error naming it and the closest known key, in the one collected message", () => {
    let message = "";
    try {
      parseConfig((k) => ({ primaryRegion: "mars-1" })[k], "tap", [
        "tap:primaryRegio",
        "tap:logRetentionDay",
        "tap:primaryRegion",
        "pulumi:disable-default-providers",
        "aws:region",
      ]);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid stack configuration \(3 problem\(s\)\):/);
    expect(message).toContain(
      "\n  - tap:primaryRegio: not a config key of this program; did you mean tap:primaryRegion?",
    );
    expect(message).toContain("did you mean tap:logRetentionDays?");
    expect(message).toContain('\n  - primaryRegion: "mars-1" is not one of');
  });

  it("P1: every key Pulumi.yaml declares is a key the program reads, and the other way round", () => {
    const doc = readFileSync(path.join(__dirname, "..", "Pulumi.yaml"), "utf8");
    const declared = [...doc.matchAll(/^ {2}(\w+):\n {4}type:/gm)].map((m) => m[1]);
    expect([...declared].sort()).toEqual([...CONFIG_KEYS].sort());
  });

  it("closest: the candidate at the smallest edit distance", () => {
    expect(editDistance("primaryRegio", "primaryRegion")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(closest("secondaryregoin", CONFIG_KEYS)).toBe("secondaryRegion");
    expect(closest("dbInstanceClas", CONFIG_KEYS)).toBe("dbInstanceClass");
  });
});

describe("P1: the program itself (pulumi up) rejects typos and an unread stack file", () => {
  it("P1: a misspelled key set in the stack fails the run, naming the closest key", async () => {
    const { runProgram } = await import("./program");
    await expect(runProgram({ primaryRegio: "eu-west-1" })).rejects.toThrow(
      /tap:primaryRegio: not a config key of this program; did you mean tap:primaryRegion\?/,
    );
  }, 60_000);

  it("P1: no config at all (empty stack file, or `config:` misspelled) says so, not only that default providers are on", async () => {
    const pulumi = await import("@pulumi/pulumi");
    const { installMocks } = await import("../tooling/mocks/recorder");
    await installMocks({ stack: "staging" });
    pulumi.runtime.setAllConfig({});
    const { loadConfig } = await import("../lib/load-config");
    expect(() => loadConfig()).toThrow(
      /no stack config at all: is Pulumi\.staging\.yaml empty, or its top-level "config:" misspelled\?/,
    );
  });
});
