/**
 * The security part of the stack configuration (S1, S2, S7), parsed by lib/config/index.ts's parseConfig so
 * that every problem still lands in one ConfigError. Defaults are mirrored in Pulumi.yaml.
 */
import {
  ACCOUNT_ID_RE,
  MAX_AUTHORIZER_TTL_SECONDS,
  MAX_TOKEN_AGE_SECONDS,
} from "../../lambda/order-authorizer/contract";
import { API_THROTTLE, MIN_WAF_RATE_LIMIT, WAF_WINDOW_SECONDS } from "./api-limits";
import type { Readers } from "./readers";

/**
 * How `POST /orders` authenticates callers.
 *  - `jwt`: a Lambda authorizer verifies a bearer JWT against the configured issuer's JWKS. One token
 *    works in both regions, so clients keep working when DNS fails over. Required for production.
 *  - `iam`: IAM (SigV4) authorization, for a dev stack without an identity provider. Secure (only IAM
 *    principals of the account with execute-api:Invoke get in) but NOT internet-ready: a SigV4 signature
 *    names one region, so a client must re-sign for the other region after a failover, and every caller
 *    gets the same fixed entitlement (`iamEntitledAccounts`).
 */
export const AUTH_MODES = ["jwt", "iam"] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface JwtAuthConfig {
  readonly mode: "jwt";
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  readonly accountsClaim: string;
  /** How long API Gateway caches an answer per token (0..3600). */
  readonly resultTtlSeconds: number;
  /** Oldest token accepted, seconds since its `iat` (S4); future `iat` is refused. */
  readonly maxTokenAgeSeconds: number;
}

export interface IamAuthConfig {
  readonly mode: "iam";
  /** Accounts every IAM caller may trade. */
  readonly entitledAccounts: readonly string[];
}

export type AuthConfig = JwtAuthConfig | IamAuthConfig;

export interface WafConfig {
  readonly enabled: boolean;
  /** Requests per client IP per 5-minute window before the IP is blocked. */
  readonly rateLimitPer5Min: number;
}

export interface SecurityConfig {
  readonly auth: AuthConfig;
  readonly waf: WafConfig;
  /**
   * Whether this stack owns the account-wide API Gateway CloudWatch role setting in its two regions.
   * Exactly one stack per account should; the others leave it alone (S7).
   */
  readonly manageApiGatewayAccount: boolean;
  /**
   * IAM role ARNs (with their path) of operators who may send to the order queues, to redrive a DLQ by
   * hand: a message move task sends as its caller (S4). Everyone else is denied by the queue policies.
   */
  readonly orderQueueOperatorArns: readonly string[];
}

export const SECURITY_DEFAULTS = {
  authMode: "iam",
  authAccountsClaim: "accounts",
  authResultTtlSeconds: 300,
  authMaxTokenAgeSeconds: MAX_TOKEN_AGE_SECONDS.default,
  iamEntitledAccounts: "",
  wafEnabled: true,
  // The API's 2,000 requests per second for one client over WAF's 5-minute window (MIN_WAF_RATE_LIMIT).
  wafRateLimit: 600_000,
  manageApiGatewayAccount: true,
} as const;

/** Keys whose Pulumi.yaml default is the empty string. */
export const SECURITY_OPTIONAL_KEYS = [
  "authIssuer",
  "authAudience",
  "authJwksUrl",
  "orderQueueOperatorArns",
] as const;

/** An IAM role ARN as aws:PrincipalArn carries it: partition, account, optional path, name. */
const ROLE_ARN_RE = /^arn:aws[a-z-]*:iam::\d{12}:role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;

/** WAF rate-based rules accept limits from 10 to 2,000,000,000 requests per window.
 *  https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based-high-level-settings.html */
export const WAF_RATE_LIMIT_RANGE = [10, 2_000_000_000] as const;

const CLAIM_RE = /^[A-Za-z0-9_:/.-]{1,128}$/;

function httpsUrl(key: string, value: string | undefined, problems: string[]): string {
  if (value === undefined) {
    problems.push(`${key}: required when authMode is jwt`);
    return "";
  }
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== "https:") problems.push(`${key}: "${value}" must be an https:// URL`);
  return value;
}

export function parseSecurityConfig(r: Readers, production: boolean, problems: string[]): SecurityConfig {
  const d = SECURITY_DEFAULTS;
  const mode = r.str("authMode", d.authMode);
  let auth: AuthConfig;
  if (mode === "jwt") {
    const audience = r.optional("authAudience");
    if (audience === undefined) problems.push("authAudience: required when authMode is jwt");
    const accountsClaim = r.str("authAccountsClaim", d.authAccountsClaim);
    if (!CLAIM_RE.test(accountsClaim)) {
      problems.push(`authAccountsClaim: "${accountsClaim}" is not a claim name`);
    }
    auth = {
      mode,
      issuer: httpsUrl("authIssuer", r.optional("authIssuer"), problems),
      audience: audience ?? "",
      jwksUrl: httpsUrl("authJwksUrl", r.optional("authJwksUrl"), problems),
      accountsClaim,
      resultTtlSeconds: r.int("authResultTtlSeconds", d.authResultTtlSeconds, 0, MAX_AUTHORIZER_TTL_SECONDS),
      maxTokenAgeSeconds: r.int(
        "authMaxTokenAgeSeconds",
        d.authMaxTokenAgeSeconds,
        MAX_TOKEN_AGE_SECONDS.min,
        MAX_TOKEN_AGE_SECONDS.max,
      ),
    };
    if (production) problems.push(...placeholderIdentityProblems(auth));
  } else if (mode === "iam") {
    const raw = r.str("iamEntitledAccounts", d.iamEntitledAccounts);
    const entitledAccounts = raw
      .split(",")
      .map((a) => a.trim())
      .filter(Boolean);
    const bad = entitledAccounts.filter((a) => !ACCOUNT_ID_RE.test(a));
    if (bad.length) problems.push(`iamEntitledAccounts: ${bad.join(", ")} are not account ids`);
    if (production) {
      problems.push(
        "authMode: production needs jwt; iam mode is for dev stacks only (SigV4 is signed per region, so clients break on failover)",
      );
    }
    auth = { mode, entitledAccounts };
  } else {
    problems.push(`authMode: "${mode}" is not one of ${AUTH_MODES.join(", ")}`);
    auth = { mode: "iam", entitledAccounts: [] };
  }

  const wafEnabled = r.bool("wafEnabled", d.wafEnabled);
  if (production && !wafEnabled) problems.push("wafEnabled: production requires the web ACL");
  const waf: WafConfig = {
    enabled: wafEnabled,
    rateLimitPer5Min: r.int("wafRateLimit", d.wafRateLimit, ...WAF_RATE_LIMIT_RANGE),
  };
  problems.push(...wafAgreesWithApi(waf.rateLimitPer5Min));
  return {
    auth,
    waf,
    manageApiGatewayAccount: r.bool("manageApiGatewayAccount", d.manageApiGatewayAccount),
    orderQueueOperatorArns: parseOperatorArns(r.optional("orderQueueOperatorArns"), problems),
  };
}

/**
 * S5: the web ACL must not block a client the API would still serve. API Gateway lets one client (there
 * are no API keys, so one client may use the whole stage throttle) send API_THROTTLE.rateLimit requests a
 * second; the WAF rule counts per IP over a 5-minute window, so anything below rate x 300 blocks a firm
 * trading from one NAT address long before the API's own limit (docs/security.md, "Limits").
 */
export function wafAgreesWithApi(rateLimitPer5Min: number): string[] {
  if (rateLimitPer5Min >= MIN_WAF_RATE_LIMIT) return [];
  const perSecond = (rateLimitPer5Min / WAF_WINDOW_SECONDS).toFixed(1);
  return [
    `wafRateLimit: ${rateLimitPer5Min} requests per 5 minutes (${perSecond}/s per IP) is below what the API ` +
      `serves one client (${API_THROTTLE.rateLimit}/s = ${MIN_WAF_RATE_LIMIT} per 5 minutes); set it to at ` +
      `least ${MIN_WAF_RATE_LIMIT}`,
  ];
}

/**
 * Host names reserved for documentation and testing (RFC 2606 and RFC 6761): `.invalid`, `.test`,
 * `.example`, `.localhost` and example.com/.net/.org. An issuer there never issues a real token, so a
 * production stack with one deploys an API that answers 401 to every order (S5).
 * https://www.rfc-editor.org/rfc/rfc2606 https://www.rfc-editor.org/rfc/rfc6761
 */
export function isPlaceholderHost(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/\.$/, "");
  } catch {
    return false;
  }
  return /(^|\.)(invalid|test|example|localhost)$/.test(host) || /(^|\.)example\.(com|net|org)$/.test(host);
}

/** One problem naming every key that still holds a placeholder, with what to set instead. */
function placeholderIdentityProblems(auth: JwtAuthConfig): string[] {
  const keys = (
    [
      ["authIssuer", auth.issuer],
      ["authJwksUrl", auth.jwksUrl],
    ] as const
  ).filter(([, url]) => isPlaceholderHost(url));
  if (keys.length === 0) return [];
  return [
    `${keys.map(([k]) => k).join(" and ")}: production needs your identity provider's real ` +
      `${keys.map(([k, url]) => `${k === "authIssuer" ? "issuer" : "JWKS URL"} (now "${url}", a reserved placeholder name)`).join(" and ")}; ` +
      `set ${keys.map(([k]) => `tap:${k}`).join(" and ")} in Pulumi.<stack>.yaml, or every POST /orders gets 401`,
  ];
}

function parseOperatorArns(raw: string | undefined, problems: string[]): string[] {
  const arns = (raw ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const bad = arns.filter((a) => !ROLE_ARN_RE.test(a));
  if (bad.length)
    problems.push(
      `orderQueueOperatorArns: ${bad.join(", ")} are not IAM role ARNs (arn:aws:iam::<account>:role/<path/name>)`,
    );
  return arns;
}

/**
 * What a plan should say about a valid but surprising security setting. IAM mode with no entitled
 * accounts is the safe default, and it means every order an IAM caller sends is accepted by the API and
 * then parked by the processor as not entitled (lambda/order-processor/entitlement.ts), so a dev stack
 * books nothing until someone sets the accounts.
 */
export function securityWarnings(security: Pick<SecurityConfig, "auth">): string[] {
  const { auth } = security;
  if (auth.mode !== "iam" || auth.entitledAccounts.length > 0) return [];
  return [
    "authMode iam with no iamEntitledAccounts: every order is accepted by the API and then parked as not " +
      "entitled (OrdersNotEntitled); set tap:iamEntitledAccounts to the accounts IAM callers may trade",
  ];
}
