/**
 * The order API's throttle (R18): the usage plan's limits and the stage-wide method throttling that
 * applies them to every caller (no API keys, so the whole stage shares them and one client may use them
 * all). Kept apart from the API component so the config can check the web ACL's per-IP limit against it.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html
 */
export const API_THROTTLE = { burstLimit: 5000, rateLimit: 2000 } as const;

/** WAF's rate-based rule counts requests over this window (`evaluationWindowSec`), seconds. */
export const WAF_WINDOW_SECONDS = 300;

/**
 * The smallest per-IP WAF limit (requests per window) that never blocks a client the API would still
 * serve: the API's steady rate for one client over the whole window (S5).
 */
export const MIN_WAF_RATE_LIMIT = API_THROTTLE.rateLimit * WAF_WINDOW_SECONDS;
