/**
 * The one way this code bounds an AWS SDK call: a connection timeout and a request timeout that FAILS
 * the call. The SDK's Node handler only logs a warning when `requestTimeout` passes unless
 * `throwOnRequestTimeout` is set (@smithy/types HttpHandlerInitialization; @smithy/node-http-handler
 * 4.x prints "Init client requestHandler with throwOnRequestTimeout=true to turn this into an error"),
 * so without it a Region or endpoint that never answers holds the caller to its own timeout.
 * test/lambda/shared/http-timeouts.test.ts checks that every client goes through here.
 */
export interface HttpTimeouts {
  readonly connectionTimeout: number;
  readonly requestTimeout: number;
  readonly throwOnRequestTimeout: true;
}

export const httpTimeouts = (connectionTimeout: number, requestTimeout: number): HttpTimeouts => ({
  connectionTimeout,
  requestTimeout,
  throwOnRequestTimeout: true,
});
