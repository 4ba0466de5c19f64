/**
 * Version of the `--json` document's shape (docs/plan.md, "The JSON document"); bump it when a field
 * changes meaning. Apart from report.ts so the README's command tests read it without loading Pulumi.
 */
export const PLAN_JSON_SCHEMA_VERSION = 2;
