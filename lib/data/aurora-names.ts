import { childName } from "../names";

/** The fixed identifiers of the Aurora global database and its two member clusters. */
export interface AuroraClusterIds {
  readonly global: string;
  readonly primary: string;
  readonly secondary: string;
}

/** The AuroraGlobalDatabase component of a stack. */
export const auroraName = (stack: string): string => childName(stack, "aurora");

/**
 * Identifiers carry the stack suffix and never change, so the program can look the clusters up in AWS
 * before it declares them (lib/data/aurora-writer.ts) and name their log groups in advance.
 */
export const auroraClusterIds = (name: string): AuroraClusterIds => ({
  global: childName(name, "global"),
  primary: childName(name, "primary"),
  secondary: childName(name, "secondary"),
});

/** The member identifiers of a global cluster identifier that auroraClusterIds made. */
export function auroraIdsOfGlobal(globalId: string): AuroraClusterIds {
  if (!globalId.endsWith("-global"))
    throw new Error(`${globalId} is not a global cluster id of this program`);
  return auroraClusterIds(globalId.slice(0, -"-global".length));
}
