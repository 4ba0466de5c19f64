/**
 * CloudWatch Synthetics canary (Node.js Puppeteer runtime). The runtime loads it from
 * nodejs/node_modules/health-canary.js in the code package, handler "health-canary.handler".
 *
 * Two steps against a region's API, as a client would see it: GET /health must answer 200 (the queue,
 * the table, the database path and the region's role all checked), and POST /orders with a well-formed
 * order but no credentials must be refused with the status API Gateway gives the method's authorization
 * type (ANONYMOUS_ORDER_STATUS, written by the program from the method it built).
 *
 * Why no order is placed: POST /orders is never anonymous (S1), and an identity of the canary's own
 * would need either a long-lived client secret for the JWT issuer or an IAM path that prod does not
 * have. Refusing the anonymous order proves what a client's request meets first (the stage is deployed,
 * the route exists, the authorization gate is in place and answers), and nothing can reach the queue or
 * the ledger; the body is still flagged `synthetic: true`, which the processor never books (R24), should
 * the gate ever open (the step then fails on the 202). What lies behind the gate is /health's job.
 */
"use strict";

/** The canary's environment contract; lib/detection/health-canary.ts writes it from this object. */
const CANARY_ENV = { apiBaseUrl: "API_BASE_URL", anonymousOrderStatus: "ANONYMOUS_ORDER_STATUS" };

// Runtimes from syn-nodejs-puppeteer-13.1 publish the library under a new name; older ones use the legacy one.
function loadSynthetics() {
  try {
    return require("@aws/synthetics-puppeteer");
  } catch {
    return require("Synthetics");
  }
}

function readBody(res) {
  return new Promise((resolve, reject) => {
    let body = "";
    res.on("data", (chunk) => (body += chunk));
    res.on("end", () => resolve(body));
    res.on("error", reject);
  });
}

function expectStatus(expected) {
  return async (res) => {
    const body = await readBody(res);
    if (res.statusCode !== expected) {
      throw new Error(`expected HTTP ${expected}, got ${res.statusCode}: ${body.slice(0, 300)}`);
    }
  };
}

function syntheticOrder(now = new Date()) {
  return {
    orderId: `synthetic-${now.getTime()}-${Math.floor(Math.random() * 1e6)}`,
    account: "synthetic-canary",
    symbol: "SYNTH",
    side: "BUY",
    quantity: "1",
    orderType: "MARKET",
    clientTimestamp: now.toISOString(),
    synthetic: true,
  };
}

function requestFor(baseUrl, method, path, body) {
  const url = new URL(baseUrl.replace(/\/$/, "") + path);
  return {
    hostname: url.hostname,
    method,
    path: url.pathname,
    port: 443,
    protocol: "https:",
    headers: { "Content-Type": "application/json", "User-Agent": "tap-synthetics-canary" },
    body: body === undefined ? undefined : JSON.stringify(body),
  };
}

/** The refusal status the order step expects: a 4xx, from the environment. */
function anonymousOrderStatus(env) {
  const raw = env[CANARY_ENV.anonymousOrderStatus];
  const status = Number(raw);
  if (!raw || !Number.isInteger(status) || status < 400 || status > 499) {
    throw new Error(`${CANARY_ENV.anonymousOrderStatus} must be a 4xx status, got ${JSON.stringify(raw)}`);
  }
  return status;
}

async function handler() {
  const synthetics = loadSynthetics();
  const baseUrl = process.env[CANARY_ENV.apiBaseUrl];
  if (!baseUrl) throw new Error(`${CANARY_ENV.apiBaseUrl} is not set`);
  const refused = anonymousOrderStatus(process.env);
  // No step configuration: from syn-nodejs-puppeteer-11.0 only a few screenshot/metric overrides are
  // accepted per step, and the defaults are what we want.
  await synthetics.executeHttpStep("health", requestFor(baseUrl, "GET", "/health"), expectStatus(200));
  await synthetics.executeHttpStep(
    "anonymous-order-refused",
    requestFor(baseUrl, "POST", "/orders", syntheticOrder()),
    expectStatus(refused),
  );
}

module.exports = { CANARY_ENV, handler, syntheticOrder, requestFor, anonymousOrderStatus };
