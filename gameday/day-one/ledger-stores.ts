/**
 * What the order processor books into on day one, shared by every world a test file builds (one
 * PostgreSQL database and one dynalite per file, as the brief for the slow day-one files asks):
 *  - the ledger: a fresh database on DATABASE_URL's server (or the embedded one), migrated as the
 *    deploy-time migrator does (lambda/order-processor/migrations.ts); the processor reaches it through
 *    its secret, whose contents here are this database's credentials;
 *  - the order-state tables, created on first use with the orders table's key schema under the name the
 *    program gives them (each Region's replica in the same dynalite: replication is not modelled here).
 */
import { CreateTableCommand, GetItemCommand, ResourceInUseException } from "@aws-sdk/client-dynamodb";
import { Client } from "pg";
import { applyMigrations } from "../../lambda/order-processor/migrations";
import { startTestDatabase, type TestDatabase } from "../../tooling/stores/postgres";
import { startDynamo, type TestDynamo } from "../../tooling/stores/dynamodb";
import { ordersTableInput } from "../orders-table";

export class LedgerStores {
  private readonly tables = new Set<string>();

  private constructor(
    private readonly db: TestDatabase,
    private readonly dynamo: TestDynamo,
  ) {}

  static async start(): Promise<LedgerStores> {
    const [db, dynamo] = await Promise.all([startTestDatabase(), startDynamo()]);
    const admin = await db.admin();
    await applyMigrations(admin);
    return new LedgerStores(db, dynamo);
  }

  get dynamoEndpoint(): string {
    return this.dynamo.endpoint;
  }

  /** The ledger's host and port, and its database: what replaces the program's writer endpoint. */
  get ledger(): { host: string; port: number; database: string } {
    return { host: this.db.host, port: this.db.port, database: this.db.database };
  }

  /** The secret's document, as the infra stores it (username, password, host, port, dbname). */
  secretString(): string {
    const u = new URL(this.db.url);
    return JSON.stringify({
      username: decodeURIComponent(u.username),
      // A trust-auth server (DATABASE_URL without a password) ignores it; the secret always has one.
      password: decodeURIComponent(u.password) || "day-one-trust-auth",
      host: this.db.host,
      port: this.db.port,
      dbname: this.db.database,
    });
  }

  /** Creates the orders table `name` once (every world of a file shares the dynalite). */
  async ensureTable(name: string): Promise<void> {
    if (this.tables.has(name)) return;
    try {
      await this.dynamo.client.send(new CreateTableCommand(ordersTableInput(name)));
    } catch (e) {
      if (!(e instanceof ResourceInUseException)) throw e;
    }
    this.tables.add(name);
  }

  /** The ledger rows of `orderId` (region, account, quantity), none when it was not booked. */
  async booked(orderId: string): Promise<{ region: string; account: string; quantity: string }[]> {
    const c = new Client({ connectionString: this.db.url });
    await c.connect();
    try {
      const { rows } = await c.query<{ region: string; account: string; quantity: string }>(
        "SELECT region, account, quantity::text AS quantity FROM orders WHERE order_id = $1",
        [orderId],
      );
      return rows;
    } finally {
      await c.end();
    }
  }

  /** The order-state item of `orderId` in `table`, or undefined. */
  async state(table: string, orderId: string): Promise<Record<string, unknown> | undefined> {
    const out = await this.dynamo.client.send(
      new GetItemCommand({ TableName: table, Key: { orderId: { S: orderId } } }),
    );
    return out.Item;
  }

  async stop(): Promise<void> {
    await Promise.all([this.db.stop(), this.dynamo.stop()]);
  }
}
