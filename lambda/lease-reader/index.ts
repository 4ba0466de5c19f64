/**
 * X3: the lease reader. Not in a VPC: it reads the writer lease's witness table in the witness Region for
 * its Region's order processor, which runs in a VPC with no route to another Region's DynamoDB (DynamoDB
 * has no cross-Region PrivateLink; lib/data/writer-witness.ts). The processor invokes it synchronously
 * through its VPC's Lambda interface endpoint and trusts the answer from the moment its invoke STARTED,
 * so the time the invoke takes only shortens the trust, never stretches it.
 * Any event is accepted and ignored; the answer is LeaseReading ({holder, epoch}). A failed read throws,
 * which the processor sees as a FunctionError and refuses to book.
 * Environment: WRITER_LEASE_TABLE and WRITER_LEASE_REGION (lambda/shared/writer-lease.ts).
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { readWitness } from "../shared/lease-witness";
import { parseWriterLease, WRITER_LEASE_ENV, type LeaseReading } from "../shared/writer-lease";
import type { Env } from "../shared/env";
import { httpTimeouts } from "../shared/http-timeouts";

/** Two short attempts fit well inside the function's timeout (lib/orders/lease-reader.ts) and the
 *  processor's invoke timeout (lambda/order-processor/lease-source.ts). */
export const READER_CLIENT = {
  maxAttempts: 2,
  requestHandler: httpTimeouts(1_000, 1_500),
} as const;

type Witness = Pick<DynamoDBDocumentClient, "send">;

/** A client in the witness's Region. */
const witnessClient = (region: string): Witness =>
  DynamoDBDocumentClient.from(new DynamoDBClient({ region, ...READER_CLIENT }));

/**
 * The handler over an environment and a client factory (tests pass dynalite's). The environment is read on
 * the first invocation, so a bad one fails the invoke (FunctionError) instead of the module load.
 */
export function createLeaseReaderHandler(
  env: Env,
  clientFor: (region: string) => Witness = witnessClient,
): () => Promise<LeaseReading> {
  let read: (() => Promise<LeaseReading>) | undefined;
  return async () => {
    if (!read) {
      const settings = parseWriterLease(env);
      if (!settings) throw new Error(`${WRITER_LEASE_ENV.table} is not set: the lease reader has no witness`);
      const ddb = clientFor(settings.region);
      read = () => readWitness(ddb, settings.table);
    }
    return read();
  };
}

export const handler = createLeaseReaderHandler(process.env);
