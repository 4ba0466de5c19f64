/**
 * Verifies an order client's JWT against the configured issuer's JWKS with `jose` (never by hand) and
 * reads the accounts the principal may trade from a claim.
 *
 * What is refused, and why it is safe:
 *  - `alg: none` and HMAC tokens: only ACCEPTED_ALGORITHMS are allowed, and keys come from the JWKS only.
 *  - wrong issuer or audience, expired (`exp`) or not yet valid (`nbf`): jwtVerify checks them, with a
 *    small clock tolerance; `exp` is required.
 *  - issued too long ago or in the future (`iat`, S4): jose bounds `iat` only when `maxTokenAge` is set,
 *    so it always is; `iat` is then required too. A token minted with a far `exp` is still refused.
 *  - unknown `kid`: no key in the set matches (jose refetches the set at most once per cooldown).
 *  - JWKS unreachable or slow: the fetch fails or times out, verification throws, the caller denies
 *    (fail closed). Keys already fetched are reused for `cacheMaxAgeSeconds`, so a short IdP outage does
 *    not stop trading for tokens signed by known keys.
 */
import { createRemoteJWKSet, jwtVerify, type JWTVerifyGetKey } from "jose";
import { ACCEPTED_ALGORITHMS, ACCOUNT_ID_RE, JWKS_DEFAULTS } from "./contract";

export interface VerifierSettings {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl: string;
  /** Claim holding the accounts: an array of account ids, or a space-separated string. */
  readonly accountsClaim: string;
  readonly jwksTimeoutMs?: number;
  readonly jwksCacheMaxAgeSeconds?: number;
  /** Oldest token accepted, seconds since its `iat` (MAX_TOKEN_AGE_SECONDS). */
  readonly maxTokenAgeSeconds: number;
  /** Seconds of clock skew tolerated on exp/nbf/iat. Default 30. */
  readonly clockToleranceSeconds?: number;
}

export interface Principal {
  /** The token's `sub`. */
  readonly id: string;
  /** Accounts the principal may trade, validated against the order schema's account format. */
  readonly accounts: readonly string[];
}

/** A token that is valid but grants nothing (no or malformed accounts claim): the caller answers 403. */
export class NotEntitledError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NotEntitledError";
  }
}

export type Verify = (token: string) => Promise<Principal>;

export function createVerifier(settings: VerifierSettings, keys?: JWTVerifyGetKey): Verify {
  const jwks =
    keys ??
    createRemoteJWKSet(new URL(settings.jwksUrl), {
      timeoutDuration: settings.jwksTimeoutMs ?? JWKS_DEFAULTS.timeoutMs,
      cacheMaxAge: (settings.jwksCacheMaxAgeSeconds ?? JWKS_DEFAULTS.cacheMaxAgeSeconds) * 1000,
      cooldownDuration: 30_000,
    });
  return async (token) => {
    const { payload } = await jwtVerify(token, jwks, {
      issuer: settings.issuer,
      audience: settings.audience,
      algorithms: [...ACCEPTED_ALGORITHMS],
      requiredClaims: ["exp", "sub", "iat"],
      maxTokenAge: settings.maxTokenAgeSeconds,
      clockTolerance: settings.clockToleranceSeconds ?? 30,
    });
    const accounts = accountsOf(payload[settings.accountsClaim]);
    if (accounts === undefined) {
      throw new NotEntitledError(`claim "${settings.accountsClaim}" is missing or not a list of account ids`);
    }
    if (accounts.length === 0)
      throw new NotEntitledError(`claim "${settings.accountsClaim}" grants no account`);
    return { id: String(payload.sub), accounts };
  };
}

/** The claim as a list of distinct account ids; undefined when it is malformed. */
export function accountsOf(claim: unknown): string[] | undefined {
  const list = typeof claim === "string" ? claim.split(" ").filter(Boolean) : claim;
  if (!Array.isArray(list)) return undefined;
  if (!list.every((a): a is string => typeof a === "string" && ACCOUNT_ID_RE.test(a))) return undefined;
  return [...new Set(list)];
}
