/**
 * The values TapStack exports, read off the components that own them. Typed by the outputs contract
 * (lib/stack-outputs.ts) and by StackParts, which TapStack implements: this module imports the
 * components, never the stack that imports it, so imports keep pointing down (test/layering.test.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { TapConfig } from "./config";
import type { DataTier } from "./data/data-tier";
import type { WriterWitness } from "./data/writer-witness";
import type { FailoverOrchestrator } from "./failover/failover-orchestrator";
import type { RegionalFoundation } from "./foundation/regional-foundation";
import type { Monitoring } from "./monitoring/monitoring";
import type { Providers } from "./providers";
import type { RegionalService, Role } from "./service/regional-service";
import type { StackOutputValues } from "./stack-outputs";

/** The parts of the stack its outputs are read from. */
export interface StackParts {
  readonly providers: Pick<Providers, "metricsRegion">;
  readonly primary: RegionalFoundation;
  readonly secondary: RegionalFoundation;
  readonly metrics: RegionalFoundation;
  readonly data: DataTier;
  readonly witness?: WriterWitness;
  readonly services: Record<Role, RegionalService>;
  readonly failover: FailoverOrchestrator;
  readonly monitoring: Monitoring;
  readonly apiUrl?: pulumi.Input<string>;
  readonly operatorPolicy: pulumi.Output<string>;
}

/** Every output of the stack, read off the components that own them. */
export function stackOutputs(stack: StackParts, cfg: TapConfig): StackOutputValues {
  const { primary, secondary, services } = stack;
  const { aurora, credentials, ordersTable, buckets } = stack.data;
  const [p, s] = [services.primary, services.secondary];
  return {
    primaryRegion: cfg.primaryRegion,
    secondaryRegion: cfg.secondaryRegion,
    primaryVpcId: primary.vpc.vpcId,
    secondaryVpcId: secondary.vpc.vpcId,
    primaryKmsKeyArn: primary.key.arn,
    secondaryKmsKeyArn: secondary.key.arn,
    primarySnsTopicArn: primary.topic.arn,
    secondarySnsTopicArn: secondary.topic.arn,
    metricsSnsTopicArn: stack.metrics.topic.arn,
    dbSecretArn: credentials.secretArn,
    globalClusterId: aurora.globalClusterId,
    globalWriterEndpoint: aurora.globalWriterEndpoint,
    auroraPrimaryEndpoint: aurora.primaryWriterEndpoint,
    auroraPrimaryReaderEndpoint: aurora.primaryReaderEndpoint,
    auroraSecondaryEndpoint: aurora.secondaryReaderEndpoint,
    primaryClusterArn: aurora.primaryClusterArn,
    secondaryClusterArn: aurora.secondaryClusterArn,
    dynamoTableName: ordersTable.tableName,
    primaryBucketName: buckets.primaryBucketName,
    secondaryBucketName: buckets.secondaryBucketName,
    dbEngineVersion: cfg.dbEngineVersion,
    primaryApiEndpoint: p.api.endpoint,
    secondaryApiEndpoint: s.api.endpoint,
    primaryHealthUrl: p.api.healthUrl,
    secondaryHealthUrl: s.api.healthUrl,
    primaryQueueUrl: p.queue.queueUrl,
    secondaryQueueUrl: s.queue.queueUrl,
    primaryDlqUrl: p.queue.dlqUrl,
    secondaryDlqUrl: s.queue.dlqUrl,
    primaryRejectsQueueUrl: p.queue.rejectsQueueUrl,
    secondaryRejectsQueueUrl: s.queue.rejectsQueueUrl,
    primaryOrderProcessorName: p.processor.functionName,
    secondaryOrderProcessorName: s.processor.functionName,
    primaryHealthCheckId: p.healthCheck.healthCheckId,
    secondaryHealthCheckId: s.healthCheck.healthCheckId,
    primaryHealthAlarmName: p.healthCheck.alarmName,
    canaryNames: [p, s].flatMap((r) => [r.canary, ...(r.probe ? [r.probe] : [])]).map((c) => c.canaryName),
    failoverFunctionArn: stack.failover.functionArn,
    failoverFunctionName: stack.failover.functionName,
    compositeAlarmName: stack.monitoring.compositeAlarmName,
    dashboardName: stack.monitoring.dashboardName,
    healthCheckIntervalSeconds: cfg.healthCheckIntervalSeconds,
    healthCheckFailureThreshold: cfg.healthCheckFailureThreshold,
    metricsRegion: stack.providers.metricsRegion,
    primaryCanaryName: p.canary.canaryName,
    secondaryCanaryName: s.canary.canaryName,
    probeCanaryName: probeOf(s).canaryName,
    probeAlarmName: probeOf(s).alarmName,
    production: cfg.production,
    processingSites: stack.failover.processingSites,
    ...operatorOutputs(stack, cfg),
    ...(stack.apiUrl ? { apiUrl: stack.apiUrl } : {}),
    ...(stack.witness
      ? {
          witnessTableName: stack.witness.tableName,
          witnessRegion: stack.witness.region,
          writerLeaseMs: stack.witness.leaseMs,
        }
      : {}),
  };
}

/** What the runbook's commands need besides the outputs above (O3). */
function operatorOutputs(stack: StackParts, cfg: TapConfig) {
  const { aurora } = stack.data;
  const [p, s] = [stack.services.primary, stack.services.secondary];
  const reconcile = reconcileOf(stack.failover);
  return {
    primaryDlqArn: p.queue.dlqArn,
    secondaryDlqArn: s.queue.dlqArn,
    primaryClusterId: aurora.primaryClusterId,
    secondaryClusterId: aurora.secondaryClusterId,
    auroraRpoTargetSeconds: cfg.targets.auroraRpoSeconds,
    reconcileFunctionName: reconcile.name,
    ledgerSecretArn: s.ledgerAccess.secretArn,
    ledgerTlsServerNames: [...stack.data.dbTlsServerNames],
    operatorPolicy: stack.operatorPolicy,
  };
}

/** TapStack always deploys the reconcile function next to the orchestrator. */
export function reconcileOf(failover: FailoverOrchestrator) {
  if (!failover.reconcileFunctionName || !failover.reconcileFunctionArn)
    throw new Error("the failover orchestrator has no reconcile function");
  return { name: failover.reconcileFunctionName, arn: failover.reconcileFunctionArn };
}

/** The secondary watches the primary's API; TapStack always builds that probe. */
function probeOf(service: RegionalService) {
  if (!service.probe) throw new Error("the secondary region's service has no probe canary");
  return service.probe;
}
