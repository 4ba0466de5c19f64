/** Unit tests for the B4 live tests' bounded waiting, AWS call wrapper and DB settings; no AWS needed. */
import { AwsCallError, awsCall, isNotFound } from "../integration/support/aws";
import { dbTls, parseDbSecret, pgClientConfig } from "../integration/support/db";
import { pollUntil, TimeoutError, withDeadline } from "../integration/support/poll";

const never = () => new Promise<never>(() => undefined);

describe("withDeadline", () => {
  it("rejects at the deadline even when the work ignores its signal, and aborts the signal", async () => {
    let signal: AbortSignal | undefined;
    const started = Date.now();
    await expect(
      withDeadline(100, "stuck call", (s) => {
        signal = s;
        return never();
      }),
    ).rejects.toThrow(new TimeoutError("stuck call", 100));
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(signal?.aborted).toBe(true);
  });

  it("returns the work's value when it finishes in time", async () => {
    await expect(withDeadline(1_000, "quick", async () => 42)).resolves.toBe(42);
  });
});

describe("pollUntil", () => {
  it("returns the first defined value with the attempt count", async () => {
    let calls = 0;
    const result = await pollUntil(async () => (++calls === 3 ? "found" : undefined), {
      what: "thing",
      intervalMs: 10,
      timeoutMs: 1_000,
    });
    expect(result).toMatchObject({ value: "found", attempts: 3 });
  });

  it("gives up at the timeout, saying what it waited for", async () => {
    await expect(
      pollUntil(async () => undefined, { what: "order it-1 in us-west-2", intervalMs: 20, timeoutMs: 100 }),
    ).rejects.toThrow(/^order it-1 in us-west-2: not seen within 100 ms \(\d+ attempts\)$/);
  });

  it("stops when its signal is aborted", async () => {
    const stop = new AbortController();
    const polling = pollUntil(async () => undefined, {
      what: "y",
      intervalMs: 10,
      timeoutMs: 10_000,
      signal: stop.signal,
    });
    stop.abort();
    await expect(polling).rejects.toThrow("y: polling cancelled");
  });

  it("stops at once when the probe throws", async () => {
    let calls = 0;
    const probe = async () => {
      calls += 1;
      throw new Error("AccessDenied");
    };
    await expect(pollUntil(probe, { what: "x", intervalMs: 10, timeoutMs: 10_000 })).rejects.toThrow(
      "AccessDenied",
    );
    expect(calls).toBe(1);
  });
});

describe("awsCall", () => {
  it("labels SDK errors with the call and the error name", async () => {
    const sdkError = Object.assign(new Error("Requested resource not found"), {
      name: "ResourceNotFoundException",
    });
    const err = await awsCall("Synthetics GetCanary c (us-west-2)", () => Promise.reject(sdkError)).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(AwsCallError);
    expect((err as Error).message).toBe(
      "Synthetics GetCanary c (us-west-2) failed: ResourceNotFoundException: Requested resource not found",
    );
    expect(isNotFound(err)).toBe(true);
  });

  it("fails a call that hangs at its deadline", async () => {
    await expect(awsCall("RDS DescribeDBClusters x", never, 100)).rejects.toThrow(
      "RDS DescribeDBClusters x failed: TimeoutError: RDS DescribeDBClusters x timed out after 100 ms",
    );
  });

  it("does not mistake other errors for not-found", () => {
    expect(isNotFound(Object.assign(new Error("x"), { name: "AccessDeniedException" }))).toBe(false);
  });
});

describe("DB connection settings", () => {
  it("parses the secret and defaults the port", () => {
    expect(parseDbSecret(JSON.stringify({ username: "u", password: "p", dbname: "orders" }))).toEqual({
      username: "u",
      password: "p",
      host: undefined,
      port: 5432,
      dbname: "orders",
    });
  });

  it("names missing secret fields without echoing the secret", () => {
    const secret = JSON.stringify({ password: "hunter2", port: 5432 });
    expect(() => parseDbSecret(secret)).toThrow("DB secret lacks username, dbname");
    expect(() => parseDbSecret("{oops hunter2")).toThrow(/^DB secret SecretString is not JSON$/);
  });

  it("keeps TLS on, verified only when TAP_RDS_CA_FILE is given", () => {
    expect(dbTls({})).toEqual({ ssl: { rejectUnauthorized: false }, verified: false });
    const tls = dbTls({ TAP_RDS_CA_FILE: __filename });
    expect(tls).toMatchObject({ ssl: { rejectUnauthorized: true }, verified: true });
    const config = pgClientConfig(
      "db.example.com",
      { username: "u", password: "p", port: 5432, dbname: "orders" },
      tls,
    );
    expect(config).toMatchObject({ host: "db.example.com", ssl: { rejectUnauthorized: true } });
    expect(config.connectionTimeoutMillis).toBeGreaterThan(0);
  });
});
