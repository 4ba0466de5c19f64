/**
 * S1, live: POST /orders is refused without credentials in both regions (401 for a missing or bogus
 * bearer token in jwt mode, 403 for a missing SigV4 signature in iam mode), while GET /health stays open.
 * Without stack outputs the group skips visibly with the reason in its title, like the other live tests.
 */
import { httpRequest } from "./support/http";
import { describeLive } from "./support/suite";

const ORDER = {
  orderId: "int-unauthenticated",
  account: "ACC-1",
  symbol: "AAPL",
  side: "BUY",
  quantity: 1,
  orderType: "MARKET",
  clientTimestamp: "2024-05-01T12:30:00Z",
};

describeLive("order intake refuses anonymous callers", (outputs) => {
  const endpoints = () => [outputs().primaryApiEndpoint, outputs().secondaryApiEndpoint];

  it("S1: an unauthenticated POST /orders gets 401 or 403 in both regions", async () => {
    const statuses = await Promise.all(
      endpoints().map(
        async (base) => (await httpRequest(`${base}/orders`, { method: "POST", json: ORDER })).status,
      ),
    );
    for (const status of statuses) expect([401, 403]).toContain(status);
  });

  it("S1: GET /health stays open for Route 53 and the canaries", async () => {
    const statuses = await Promise.all(
      endpoints().map(async (base) => (await httpRequest(`${base}/health`)).status),
    );
    for (const status of statuses) expect([200, 503]).toContain(status);
  });
});
