/**
 * Invokes the real failover Lambda handler (lambda/failover/index.ts) as it would run in `region`: its
 * environment as the infra sets it, its dependencies from the world's per-Region control planes. A
 * Lambda in a Region that is down cannot be invoked at all.
 */
import { FAILOVER_ENV as K, formatProcessingSites } from "../lambda/failover/env-keys";
import type { AlarmAction } from "../lambda/failover/config";
import type { CheckerObservation } from "../lambda/failover/evidence";
import { createHandler } from "../lambda/failover/index";
import type { FailoverResult } from "../lambda/failover/orchestrator";
import { LambdaClient } from "@aws-sdk/client-lambda";
import { RDSClient } from "@aws-sdk/client-rds";
import { SQSClient } from "@aws-sdk/client-sqs";
import { GLOBAL_CLUSTER_ID } from "./aurora";
import { answeredBy, regionUnreachable } from "./fake-client";
import { gameDayFailoverEnv } from "./failover-wiring";
import { ORCHESTRATOR_LEASE_ENV } from "../lambda/shared/writer-lease";
import { reconcileFunction } from "./seams";
import type { World } from "./world";

export type Invoked =
  | { readonly invoked: true; readonly result: FailoverResult }
  | { readonly invoked: false; readonly reason: string };

export interface RunnerOptions {
  /**
   * The stack's tap:alarmFailoverAction (lib/config.ts; "notify" by default). Default here "failover":
   * the game day exercises automatic failover, which a stack opts into with that config key. Checked
   * against the values the function accepts (lambda/failover/config.ts), not passed through blindly.
   */
  readonly alarmAction?: AlarmAction;
  /**
   * X2: Regions whose endpoints the invoked orchestrator cannot reach although they are up: a partition
   * seen only from its own Region. Route 53's checkers (elsewhere) still reach them.
   */
  readonly cutOffFrom?: readonly string[];
  /**
   * X6, a deliberate fault: a time budget (game-day ms) shorter than the program's scaled one, so a slow
   * promotion outlasts it. Default: the program's TIME_BUDGET_MS, scaled (see failoverEnv).
   */
  readonly timeBudgetMs?: number;
  /**
   * X5: the reconcile function wired to the orchestrator as production deploys it
   * (lib/failover/failover-orchestrator.ts), so a data-losing failover reconciles before processing
   * starts. Off: reconcile is the operator's step (gameday/seams.ts), as scenario 3 runs it.
   */
  readonly reconcile?: boolean;
}

/** The program's failover environment for `region`, with the world's stand-ins (failover-wiring.ts). */
export function failoverEnv(world: World, region: string, opts: RunnerOptions = {}): Record<string, string> {
  const env = gameDayFailoverEnv(world.wiring.failover, region, {
    alarmAction: opts.alarmAction,
    timeBudgetMs: opts.timeBudgetMs,
    paceScale: world.backoffScale,
    standIns: {
      [K.globalClusterId]: GLOBAL_CLUSTER_ID,
      [K.targetClusterArn]: world.aurora.member(region).arn,
      // As the infra sets it: the other Region's cluster, what a request aimed there promotes (X4 failback).
      [K.failbackClusterArn]: world.aurora.member(region === world.primary ? world.secondary : world.primary)
        .arn,
      [K.processingSites]: formatProcessingSites(world.processingSites()),
    },
  });
  // X3: a world started without the lease (the code before X3, or tap:writerLease false) has no witness:
  // its function must not fall back to the program's witness in the real third Region (the processor's
  // lease keys are removed the same way, World.leaseEnv).
  if (!world.writerLease) for (const key of Object.values(ORCHESTRATOR_LEASE_ENV)) delete env[key];
  return env;
}

/**
 * Route 53's checkers (X2) as the game day models them: three per Region in five Regions outside the
 * world's network, each seeing the primary's API answer exactly while the primary's Region is up; a
 * partition between the world's two Regions does not reach them.
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html
 */
export const CHECKER_REGIONS = ["us-west-1", "eu-west-1", "ap-southeast-1", "ap-northeast-1", "sa-east-1"];

function route53Checkers(world: World): () => Promise<CheckerObservation[]> {
  return async () =>
    CHECKER_REGIONS.flatMap((r) =>
      [0, 1, 2].map(() => ({
        region: r,
        healthy: world.isUp(world.primary) && !world.aurora.isIsolated(world.primary),
      })),
    );
}

/** `deps` with every call into a cut-off Region refused, as a dead network path refuses it. */
function partitioned(deps: ReturnType<World["orchestratorDeps"]>, cut: readonly string[]) {
  const rdsForRegion = deps.rdsForRegion;
  if (cut.length === 0 || !rdsForRegion) return deps;
  const refuse = <C extends Parameters<typeof answeredBy>[0]>(client: C, r: string, service: string) =>
    answeredBy(client, () => Promise.reject(regionUnreachable(r, service)));
  return {
    ...deps,
    rdsForRegion: (r: string) =>
      cut.includes(r) ? refuse(new RDSClient({ region: r }), r, "rds") : rdsForRegion(r),
    lambdaForRegion: (r: string) =>
      cut.includes(r) ? refuse(new LambdaClient({ region: r }), r, "lambda") : deps.lambdaForRegion(r),
    sqsForRegion: (r: string) =>
      cut.includes(r) ? refuse(new SQSClient({ region: r }), r, "sqs") : deps.sqsForRegion(r),
  };
}

export async function invokeFailover(
  world: World,
  region: string,
  event: unknown,
  opts: RunnerOptions = {},
): Promise<Invoked> {
  if (!world.isUp(region)) return { invoked: false, reason: `${region} is down: its Lambda cannot run` };
  const env = failoverEnv(world, region, opts);
  const handler = createHandler({
    env: () => env,
    buildDeps: () => ({
      ...partitioned(world.orchestratorDeps(region), opts.cutOffFrom ?? []),
      primaryCheckers: route53Checkers(world),
      ...(opts.reconcile ? { reconcile: reconcileFunction(world, region) } : {}),
    }),
  });
  // The function's own timeout, unscaled: the handler's safety margin (CONTEXT_SAFETY_MS) is real time too.
  const remainingMs = world.wiring.failover.timeoutSeconds * 1000;
  const result = await handler(event, { getRemainingTimeInMillis: () => remainingMs });
  return { invoked: true, result };
}
