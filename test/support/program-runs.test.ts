/** Program runs shared between test files (program-runs.ts): what is shared, and what never is. */
import { readdirSync } from "node:fs";
import { SecretValue } from "../../tooling/mocks/recorded";
import { res } from "../policy/fixtures";
import { decodeRun, encodeRun, RecordedRun, sharedRun } from "./program-runs";
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
});
