/**
 * Route 53 health checks of both regions' APIs, live (the secondary's decides whether DNS may send
 * clients there, so it is checked the same way).
 * - Config fields (Disabled, Inverted, EnableSNI, RequestInterval, FailureThreshold):
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html
 * - What the checkers observe now: GetHealthCheckStatus returns one observation per Route 53 checker;
 *   each StatusReport.Status starts with "Success" or "Failure".
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_GetHealthCheckStatus.html
 *   https://docs.aws.amazon.com/Route53/latest/APIReference/API_StatusReport.html
 */
import { GetHealthCheckCommand, GetHealthCheckStatusCommand } from "@aws-sdk/client-route-53";
import { awsCall } from "../support/aws";
import type { AwsClients } from "../support/clients";
import type { StackOutputs } from "../support/outputs";
import { passOrThrow } from "./check-failure";

type Settings = Pick<StackOutputs, "healthCheckIntervalSeconds" | "healthCheckFailureThreshold">;
type Route53Outputs = Settings & Pick<StackOutputs, "primaryHealthCheckId" | "primaryHealthUrl">;
type SecondaryRoute53Outputs = Settings & Pick<StackOutputs, "secondaryHealthCheckId" | "secondaryHealthUrl">;

export interface HealthCheckReport {
  readonly checkers: number;
  readonly succeeding: number;
}

export function checkPrimaryHealthCheck(c: AwsClients, o: Route53Outputs): Promise<HealthCheckReport> {
  return checkHealthCheck(c, o.primaryHealthCheckId, o.primaryHealthUrl, o);
}

export function checkSecondaryHealthCheck(
  c: AwsClients,
  o: SecondaryRoute53Outputs,
): Promise<HealthCheckReport> {
  return checkHealthCheck(c, o.secondaryHealthCheckId, o.secondaryHealthUrl, o);
}

async function checkHealthCheck(
  c: AwsClients,
  id: string,
  healthUrl: string,
  o: Settings,
): Promise<HealthCheckReport> {
  const [config, status] = await Promise.all([
    awsCall(`Route53 GetHealthCheck ${id}`, (abortSignal) =>
      c.route53().send(new GetHealthCheckCommand({ HealthCheckId: id }), { abortSignal }),
    ),
    awsCall(`Route53 GetHealthCheckStatus ${id}`, (abortSignal) =>
      c.route53().send(new GetHealthCheckStatusCommand({ HealthCheckId: id }), { abortSignal }),
    ),
  ]);
  const cfg = config.HealthCheck?.HealthCheckConfig;
  const url = new URL(healthUrl);
  const expected = {
    Type: "HTTPS",
    Port: 443,
    FullyQualifiedDomainName: url.hostname,
    ResourcePath: `${url.pathname}${url.search}`,
    RequestInterval: o.healthCheckIntervalSeconds,
    FailureThreshold: o.healthCheckFailureThreshold,
    EnableSNI: true,
    Inverted: false,
    Disabled: false,
  } as const;
  const problems: string[] = [];
  if (!cfg) problems.push("GetHealthCheck returned no HealthCheckConfig");
  for (const [key, want] of Object.entries(expected)) {
    // Route 53 omits Inverted/Disabled when false; absent counts as false for those two only.
    const got =
      cfg?.[key as keyof typeof expected] ?? (key === "Inverted" || key === "Disabled" ? false : undefined);
    if (cfg && got !== want) problems.push(`${key} is ${String(got)}, expected ${String(want)}`);
  }
  const observations = status.HealthCheckObservations ?? [];
  const succeeding = observations.filter((ob) => ob.StatusReport?.Status?.startsWith("Success")).length;
  if (observations.length === 0) problems.push("no Route 53 checker reports a status yet");
  else if (succeeding * 2 <= observations.length) {
    const failing = observations
      .filter((ob) => !ob.StatusReport?.Status?.startsWith("Success"))
      .slice(0, 3)
      .map((ob) => `${ob.Region ?? "?"}: ${ob.StatusReport?.Status ?? "no status"}`);
    problems.push(
      `only ${succeeding} of ${observations.length} checkers report success (e.g. ${failing.join("; ")})`,
    );
  }
  return passOrThrow(`Route 53 health check ${id}`, problems, { checkers: observations.length, succeeding });
}
