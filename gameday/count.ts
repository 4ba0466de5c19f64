/**
 * Counting every acknowledged order at the end of a run, against the stores themselves (read directly,
 * not through any endpoint): the writer's ledger (system of record), the DynamoDB replica of the writer's
 * Region, the queues and DLQs of both Regions.
 */
import type { OrderStream } from "./order-stream";
import type { World } from "./world";

export interface Counts {
  readonly acknowledged: number;
  readonly booked: number;
  readonly lost: number;
  /** Lost orders that the DynamoDB side still holds (a reconcile could recover them). */
  readonly lostButInDynamo: number;
  /** Lost orders that neither store holds, by id. */
  readonly lostInNeitherStore: string[];
  /** Lost orders still sitting in a queue of a Region that is down (they come back with it). */
  readonly heldInDownRegion: number;
  readonly bookedTwice: number;
  readonly conflicts: number;
  readonly leftInDlq: number;
  /**
   * X1: acknowledged, not booked, and waiting in a queue or DLQ of a Region that is up: an order that
   * nothing will book without a person (held in a down Region's queue is counted apart).
   */
  readonly stranded: number;
  /** X5: acknowledged orders that exactly one of the two stores (ledger, DynamoDB) holds. */
  readonly storeMismatches: number;
}

async function ledgerIds(world: World): Promise<{ ids: Set<string>; twice: number }> {
  const server = world.aurora.writer().server;
  const rows = await server.sql<{ order_id: string; n: string }>(
    "SELECT order_id, count(*)::text AS n FROM orders GROUP BY order_id",
  );
  return { ids: new Set(rows.map((r) => r.order_id)), twice: rows.filter((r) => Number(r.n) > 1).length };
}

function queuedIds(world: World, region: string, which: "queue" | "dlq"): Set<string> {
  const ids = new Set<string>();
  for (const body of world.part(region)[which].bodies()) {
    try {
      ids.add((JSON.parse(body) as { orderId: string }).orderId);
    } catch {
      // not an order of this stream
    }
  }
  return ids;
}

export async function countOrders(world: World, stream: OrderStream): Promise<Counts> {
  const { ids: ledger, twice } = await ledgerIds(world);
  const writerRegion = world.aurora.writer().region;
  const dynamo = await world.table.orderIds(writerRegion);
  const ack = [...stream.acknowledged.keys()];
  const lost = ack.filter((id) => !ledger.has(id));
  const held = new Set<string>();
  const dlq = new Set<string>();
  const waiting = new Set<string>();
  for (const region of world.regions) {
    if (!world.isUp(region)) for (const id of queuedIds(world, region, "queue")) held.add(id);
    for (const id of queuedIds(world, region, "dlq")) dlq.add(id);
    if (world.isUp(region))
      for (const which of ["queue", "dlq"] as const)
        for (const id of queuedIds(world, region, which)) waiting.add(id);
  }
  return {
    acknowledged: ack.length,
    booked: ack.length - lost.length,
    lost: lost.length,
    lostButInDynamo: lost.filter((id) => dynamo.has(id)).length,
    lostInNeitherStore: lost.filter((id) => !dynamo.has(id)),
    heldInDownRegion: lost.filter((id) => held.has(id)).length,
    bookedTwice: twice,
    conflicts: world.table.conflicts,
    leftInDlq: ack.filter((id) => dlq.has(id)).length,
    stranded: lost.filter((id) => waiting.has(id)).length,
    storeMismatches: ack.filter((id) => ledger.has(id) !== dynamo.has(id)).length,
  };
}

/**
 * Milliseconds from `faultAt` to the first order booked by the processor of `region` after it, read
 * from the ledger's received_at (the server's clock, the same machine's).
 */
export async function firstBookedAfter(
  world: World,
  region: string,
  faultAt: number,
): Promise<number | undefined> {
  const [row] = await world.aurora.writer().server.sql<{ ms: string | null }>(
    `SELECT (extract(epoch FROM min(received_at)) * 1000)::bigint::text AS ms FROM orders
      WHERE region = $1 AND received_at >= to_timestamp($2 / 1000.0)`,
    undefined,
    [region, faultAt],
  );
  return row?.ms ? Number(row.ms) - faultAt : undefined;
}
