/**
 * The one RDS client cache: a client per region (and per local/remote role), kept for the life of the
 * execution environment so warm invocations reuse connections. Used by the failover Lambda and the drill.
 */
import { RDSClient } from "@aws-sdk/client-rds";
import { httpTimeouts } from "./http-timeouts";

export type RdsClientFactory = (region: string, remote: boolean) => RDSClient;

/** The Lambda's clients: one attempt each (the caller's bounded retry replaces the SDK's). */
export const lambdaRdsClient: RdsClientFactory = (region, remote) =>
  new RDSClient({
    region,
    maxAttempts: 1,
    // The other Region may be the one that is down: fail fast there instead of eating the budget.
    requestHandler: remote ? httpTimeouts(3_000, 5_000) : httpTimeouts(5_000, 20_000),
  });

/** Returns `clientFor(region, remote)`, creating each client once. */
export function rdsClientCache(make: RdsClientFactory = lambdaRdsClient) {
  const clients = new Map<string, RDSClient>();
  return (region: string, remote = false): RDSClient => {
    const key = `${region}:${remote}`;
    let client = clients.get(key);
    if (!client) clients.set(key, (client = make(region, remote)));
    return client;
  };
}
