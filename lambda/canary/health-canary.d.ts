/** Types for health-canary.js, which stays plain JavaScript: the Synthetics runtime loads it as is. */
export declare const CANARY_ENV: { readonly apiBaseUrl: string; readonly anonymousOrderStatus: string };
export declare function handler(): Promise<void>;
export declare function syntheticOrder(): Record<string, unknown>;
export declare function requestFor(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
): Record<string, unknown>;
export declare function anonymousOrderStatus(env: Record<string, string | undefined>): number;
