/** Shared by the day-one game-day tests: program runs, a client identity, and orders. */
import type { Signer } from "../../gameday/day-one/world";
import type { RecordedResource } from "../../tooling/mocks/recorded";

/**
 * An IAM client of the dev stack's AWS_IAM POST /orders (the program leaves client identities to you).
 * Its resource is the account's APIs: @cloud-copilot/iam-simulate 0.1.173 did not match a `*` standing
 * for the API id followed by "/v1/POST/orders", which AWS does.
 */
export const CLIENT: Signer = {
  accessKeyId: "AKIADAYONECLIENT",
  arn: "arn:aws:iam::123456789012:role/order-client",
  policies: [
    {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: "execute-api:Invoke",
          Resource: "arn:aws:execute-api:*:123456789012:*",
        },
      ],
    },
  ],
};

export const signedBy = (s: Signer) => ({
  authorization: `AWS4-HMAC-SHA256 Credential=${s.accessKeyId}/20261207/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=00`,
});

export function order(id: string, account = "ACC-1"): string {
  return JSON.stringify({
    orderId: id,
    account,
    symbol: "AAPL",
    side: "BUY",
    quantity: "10",
    orderType: "MARKET",
    clientTimestamp: "2026-12-07T00:00:00Z",
  });
}

/** A deep copy of `resources` with `edit` applied to the one named `name` (of `type`). */
export function broken(
  resources: readonly RecordedResource[],
  type: string,
  name: string,
  edit: (r: RecordedResource) => void,
): RecordedResource[] {
  const copy = JSON.parse(JSON.stringify(resources)) as RecordedResource[];
  const target = copy.find((r) => r.type === type && r.name === name);
  if (!target) throw new Error(`no ${type} ${name} to break`);
  edit(target);
  return copy;
}
