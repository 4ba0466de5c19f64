/** Program runs shared between test files (program-runs.ts): what is shared, and what never is. */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { callResult, type FakeAccount } from "../../tooling/mocks/fake-aws";
import { SecretValue } from "../../tooling/mocks/recorded";
import { loadStackConfig } from "../../tooling/plan/stack-config";
import { res } from "../policy/fixtures";
import { runKey } from "../program";
import { decodeRun, encodeRun, RecordedRun, runFile, sharedRun } from "./program-runs";
import { PROGRAM_RUNS_DIR_ENV } from "./run-env";
import { withTempDirAsync } from "./temp-dir";

const run = (name: string): RecordedRun => ({
  outputs: { url: "https://x", nested: { list: [1, "a", null] } },
  secretOutputs: ["dbSecret"],
  resources: [
    res(
      "aws:secretsmanager/secretVersion:SecretVersion",
      name,
      { secretString: new SecretValue({ password: "p" }), plain: "v" },
      { state: {} },
    ),
  ],
});

/** Runs `use` with PROGRAM_RUNS_DIR_ENV pointing at a new folder, restoring it after. */
async function inRunsDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const saved = process.env[PROGRAM_RUNS_DIR_ENV];
  try {
    return await withTempDirAsync("runs-", (dir) => {
      process.env[PROGRAM_RUNS_DIR_ENV] = dir;
      return use(dir);
    });
  } finally {
    process.env[PROGRAM_RUNS_DIR_ENV] = saved;
  }
}

describe("program runs shared between test files", () => {
  it("a run reads back equal, secret values still marked (SecretValue's own JSON hides the value)", () => {
    const back = decodeRun(encodeRun(run("a")));
    expect(back).toEqual(run("a"));
    const secret = back.resources[0].inputs.secretString;
    expect(secret).toBeInstanceOf(SecretValue);
    expect((secret as SecretValue).value).toEqual({ password: "p" });
  });

  it("the first file records a configuration; a later one reads it without running the program", async () => {
    await inRunsDir(async (dir) => {
      const record = jest.fn(async () => run("first"));
      const first = await sharedRun('["dev",[]]', record);
      const later = await sharedRun('["dev",[]]', async () => run("second"));
      expect(record).toHaveBeenCalledTimes(1);
      expect([first.resources[0].name, later.resources[0].name]).toEqual(["first", "first"]);
      // Another configuration is another run; nothing half-written is left next to them.
      await sharedRun('["prod",[]]', async () => run("prod"));
      expect(readdirSync(dir).filter((f) => f.endsWith(".json"))).toHaveLength(2);
      expect(readdirSync(dir).filter((f) => !f.endsWith(".json"))).toEqual([]);
    });
  });

  it("a run that fails is not shared: the next file runs it itself and sees its own error", async () => {
    await inRunsDir(async (dir) => {
      await expect(sharedRun("k", async () => Promise.reject(new Error("bad config")))).rejects.toThrow(
        "bad config",
      );
      expect(readdirSync(dir)).toEqual([]);
      expect((await sharedRun("k", async () => run("ok"))).resources[0].name).toBe("ok");
    });
  });

  it("the first caller gets the run as read back too, so no test depends on which file recorded it", async () => {
    await inRunsDir(async () => {
      const got = await sharedRun("first", async () => run("x"));
      expect(got.resources[0].inputs.secretString).toBeInstanceOf(SecretValue);
      expect(JSON.stringify(got.resources[0].inputs)).toBe('{"secretString":"[secret]","plain":"v"}');
      expect(got).toEqual(run("x"));
      expect(got).not.toBe(run("x"));
    });
  });

  /** Another worker (a live process that is not this one) claims `key`; the claim goes when `release` runs. */
  function claimedElsewhere(dir: string, key: string): () => void {
    const claim = `${runFile(dir, key)}.claim`;
    writeFileSync(claim, String(process.ppid));
    return () => rmSync(claim);
  }

  it("a file that needs a run another file is recording waits for it, and never runs the program itself", async () => {
    await inRunsDir(async (dir) => {
      const release = claimedElsewhere(dir, '["dev",[]]');
      const record = jest.fn(async () => run("second"));
      const [got] = await Promise.all([
        sharedRun('["dev",[]]', record),
        sleep(300).then(() => {
          writeFileSync(runFile(dir, '["dev",[]]'), encodeRun(run("first")));
          release();
        }),
      ]);
      expect(record).not.toHaveBeenCalled();
      expect(got.resources[0].name).toBe("first");
    });
  });

  it("a claim released without a run (that file's run failed) is taken over: the waiting file runs it", async () => {
    await inRunsDir(async (dir) => {
      const release = claimedElsewhere(dir, "k");
      const record = jest.fn(async () => run("mine"));
      const [got] = await Promise.all([sharedRun("k", record), sleep(300).then(release)]);
      expect(record).toHaveBeenCalledTimes(1);
      expect(got.resources[0].name).toBe("mine");
      // Its own claim is gone with its run written.
      expect(readdirSync(dir).filter((f) => !f.endsWith(".json"))).toEqual([]);
    });
  });

  it("a claim left by a process that is gone, or by an earlier file of this worker, is not waited for", async () => {
    const gone = spawnSync(process.execPath, ["-e", ""]).pid;
    for (const holder of [gone, process.pid]) {
      await inRunsDir(async (dir) => {
        writeFileSync(`${runFile(dir, "k")}.claim`, String(holder));
        const started = Date.now();
        const got = await sharedRun("k", async () => run("mine"));
        expect({ name: got.resources[0].name, quick: Date.now() - started < 5_000 }).toEqual({
          name: "mine",
          quick: true,
        });
        expect(existsSync(runFile(dir, "k"))).toBe(true);
      });
    }
  });
});

describe("what a program run is shared under", () => {
  const writerIn = (writer: "primary" | "secondary"): FakeAccount => ({ aurora: { writer } });
  const spelledOut = (writer: "primary" | "secondary"): FakeAccount => ({
    aurora: {
      writer,
      members: ["primary", "secondary"],
      global: true,
      regions: { secondary: "us-west-2", primary: "us-east-1" },
    },
  });

  it("an account that spells out the fakes' defaults is the run of one that leaves them out", () => {
    expect(runKey({}, "dev", spelledOut("secondary"))).toBe(runKey({}, "dev", writerIn("secondary")));
    expect(runKey({ b: "1", a: "2" }, "dev", {})).toBe(runKey({ a: "2", "tap:b": "1" }, "dev", {}));
  });

  it("a plan's spelled-out stack config (Pulumi.yaml's defaults, the mocks' own) is the run of `{}`; a value off the default is another", () => {
    const dev = loadStackConfig(path.join(__dirname, "..", ".."), "dev").values;
    expect(dev["tap:alarmFailoverAction"]).toBe("notify");
    expect(dev["pulumi:disable-default-providers"]).toBe('["*"]');
    expect(runKey(dev, "dev", {})).toBe(runKey({}, "dev", {}));
    const failover = { ...dev, "tap:alarmFailoverAction": "failover" };
    expect(runKey(failover, "dev", {})).toBe(runKey({ alarmFailoverAction: "failover" }, "dev", {}));
    expect(runKey(failover, "dev", {})).not.toBe(runKey({}, "dev", {}));
    expect(runKey({ "pulumi:disable-default-providers": "[]" }, "dev", {})).not.toBe(runKey({}, "dev", {}));
  });

  it("what the fakes answer differently is another run", () => {
    const keys = [
      runKey({}, "dev", {}),
      runKey({}, "prod", {}),
      runKey({}, "dev", writerIn("secondary")),
      runKey({}, "dev", writerIn("primary")),
      runKey({}, "dev", { aurora: { writer: "secondary", members: ["secondary"] } }),
      runKey({}, "dev", { aurora: { writer: "secondary", global: false } }),
      runKey({ processingRegion: "secondary" }, "dev", writerIn("secondary")),
    ];
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("the fakes do answer alike for the two spellings (what makes sharing the run safe)", () => {
    const ask = (account: FakeAccount) =>
      callResult(
        "aws:rds/getGlobalCluster:getGlobalCluster",
        { identifier: "tap-dev-aurora-global" },
        "us-east-1",
        account,
      );
    expect(ask(spelledOut("secondary"))).toEqual(ask(writerIn("secondary")));
    expect(ask(spelledOut("primary"))).toEqual(ask(writerIn("primary")));
  });
});
