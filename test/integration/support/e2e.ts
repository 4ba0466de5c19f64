/**
 * Safety rails for the end-to-end order check, which books an order through the real API:
 * - opt-in only (TAP_E2E_ORDERS=1), so an ordinary run of the live suite never writes an order;
 * - refuses stacks whose `production` output is true, even when opted in;
 * - every order it places uses an account starting with E2E_ACCOUNT_PREFIX (docs/runbook.md names it),
 *   so its rows are recognisable anywhere they land, and cleanup deletes only rows with that prefix;
 * - TAP_E2E_TOKEN, when set, is sent as a bearer token: the seam for POST /orders auth (issue 15).
 */
import { randomUUID } from "node:crypto";

export const E2E_ENV = "TAP_E2E_ORDERS";
export const E2E_TOKEN_ENV = "TAP_E2E_TOKEN";
/** Accounts are at most 32 characters of [A-Za-z0-9_-] (lambda/order-processor/order-schema.ts). */
export const E2E_ACCOUNT_PREFIX = "dr-e2e-test-";

export type E2eDecision = { readonly run: true } | { readonly run: false; readonly reason: string };

export function e2eDecision(env: NodeJS.ProcessEnv = process.env): E2eDecision {
  if (env[E2E_ENV] === "1") return { run: true };
  return {
    run: false,
    reason: `skipped — places a real order; opt in with ${E2E_ENV}=1 (test account prefix ${E2E_ACCOUNT_PREFIX}, cleaned up afterwards)`,
  };
}

export class ProductionStackError extends Error {
  constructor() {
    super(
      `refusing to place test orders: the stack's outputs say production: true. The end-to-end order check only runs against non-production stacks.`,
    );
    this.name = "ProductionStackError";
  }
}

/** Throws before anything is written when the outputs describe a production stack. */
export function refuseProduction(outputs: { readonly production: boolean }): void {
  if (outputs.production) throw new ProductionStackError();
}

export function e2eAccount(uuid: string = randomUUID()): string {
  return `${E2E_ACCOUNT_PREFIX}${uuid.replace(/-/g, "").slice(0, 12)}`;
}

export function isE2eAccount(account: unknown): boolean {
  return typeof account === "string" && account.startsWith(E2E_ACCOUNT_PREFIX);
}

/** Extra request headers for POST /orders; today only the optional bearer token. */
export function e2eHeaders(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const token = env[E2E_TOKEN_ENV]?.trim();
  return token ? { authorization: `Bearer ${token}` } : {};
}
