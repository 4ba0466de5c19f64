import { TapConfig } from "./config";

/** Tags every taggable resource carries (P2), applied once through each provider's defaultTags. */
export function standardTags(cfg: TapConfig): Record<string, string> {
  return {
    Environment: cfg.environmentSuffix,
    Project: cfg.project,
    ManagedBy: "pulumi",
    CostCenter: cfg.costCenter,
  };
}
