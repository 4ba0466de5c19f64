/**
 * CloudWatch Synthetics canary (Node.js Puppeteer runtime). The runtime loads it from
 * nodejs/node_modules/health-canary.js in the code package, handler "health-canary.handler".
 *
 * Two steps against this region's API: GET /health must answer 200, and POST /orders must accept a
 * smoke order flagged `synthetic: true`, which the order processor validates but never books (R24).
 */
"use strict";

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

async function handler() {
  const synthetics = loadSynthetics();
  const baseUrl = process.env.API_BASE_URL;
  if (!baseUrl) throw new Error("API_BASE_URL is not set");
  // No step configuration: from syn-nodejs-puppeteer-11.0 only a few screenshot/metric overrides are
  // accepted per step, and the defaults are what we want.
  await synthetics.executeHttpStep("health", requestFor(baseUrl, "GET", "/health"), expectStatus(200));
  await synthetics.executeHttpStep(
    "synthetic-order",
    requestFor(baseUrl, "POST", "/orders", syntheticOrder()),
    expectStatus(202),
  );
}

module.exports = { handler, syntheticOrder, requestFor };
