import {
  Database,
  DB_DEFAULTS,
  dbSettingsFromEnv,
  reconnectReason,
} from "../../../lambda/order-processor/db";
import { startTestDatabase, type TestDatabase } from "../../../tooling/stores/postgres";
import { quiet } from "./helpers";

describe("order processor database settings", () => {
  it("P6: in AWS it reads the secret ARN and endpoint overrides, and verifies TLS by default", () => {
    const s = dbSettingsFromEnv({
      DB_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:1:secret:db",
      DB_HOST: "tap.global-abc.global.rds.amazonaws.com",
      DB_PORT: "5432",
      DB_NAME: "orders",
    });
    expect(s).toMatchObject({
      secretArn: "arn:aws:secretsmanager:us-east-1:1:secret:db",
      host: "tap.global-abc.global.rds.amazonaws.com",
      port: 5432,
      database: "orders",
      ssl: "require",
      url: undefined,
      ...DB_DEFAULTS,
    });
    expect(dbSettingsFromEnv({ DB_SECRET_ARN: "x", DB_SSL: "disable" }).ssl).toBe("disable");
  });

  it("P6: DATABASE_URL bypasses Secrets Manager; bad settings fail loudly", () => {
    expect(dbSettingsFromEnv({ DATABASE_URL: "postgres://u@h/db", DB_SECRET_ARN: "x" })).toMatchObject({
      url: "postgres://u@h/db",
      secretArn: undefined,
      ssl: undefined, // the URL's sslmode decides
    });
    expect(() => dbSettingsFromEnv({})).toThrow(/DB_SECRET_ARN/);
    expect(() => dbSettingsFromEnv({ DB_SECRET_ARN: "x", DB_SSL: "prefer" })).toThrow(/DB_SSL/);
    expect(() => dbSettingsFromEnv({ DB_SECRET_ARN: "x", DB_PORT: "54x" })).toThrow(/DB_PORT/);
  });

  it("P6: only failures a new connection can fix trigger a reconnect", () => {
    const pgError = (code: string) => Object.assign(new Error("x"), { code });
    expect(reconnectReason(pgError("28P01"))).toBe("auth");
    expect(reconnectReason(pgError("28000"))).toBe("auth");
    expect(reconnectReason(pgError("25006"))).toBe("connection"); // writer endpoint now on a reader
    expect(reconnectReason(pgError("57P01"))).toBe("connection");
    expect(reconnectReason(new Error("Connection terminated unexpectedly"))).toBe("connection");
    expect(reconnectReason(pgError("23514"))).toBeUndefined();
    expect(reconnectReason(pgError("57014"))).toBeUndefined(); // statement timeout: budget spent
    expect(reconnectReason(new Error("Connection terminated due to connection timeout"))).toBeUndefined();
    expect(reconnectReason(new Error("Query read timeout"))).toBeUndefined();
  });

  describe("against a server without TLS", () => {
    let pg: TestDatabase;
    beforeAll(async () => {
      pg = await startTestDatabase();
    });
    afterAll(async () => {
      await pg?.stop();
    });

    it("P6: DB_SSL=require never falls back to a plaintext connection", async () => {
      const db = new Database({ url: pg.url, ...DB_DEFAULTS, ssl: "require" }, { logger: quiet });
      try {
        await expect(db.query("SELECT 1")).rejects.toThrow(/does not support SSL/);
      } finally {
        await db.end();
      }
    });
  });
});
