/**
 * Lambda's per-Region concurrency quota and what reserving concurrency needs of it (S5). A reservation is
 * refused when it leaves fewer than MIN_UNRESERVED_CONCURRENCY executions unreserved in the account, so a
 * stack that reserves R in a Region needs a quota of at least R + 100 there. The default quota is 1,000;
 * new accounts start lower until AWS raises it with use.
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html
 * https://docs.aws.amazon.com/lambda/latest/dg/limits.html
 */
export const DEFAULT_ACCOUNT_CONCURRENCY = 1000;
export const MIN_UNRESERVED_CONCURRENCY = 100;
/** The most one stack may reserve in a Region of an account with the default quota. */
export const MAX_RESERVABLE_CONCURRENCY = DEFAULT_ACCOUNT_CONCURRENCY - MIN_UNRESERVED_CONCURRENCY;

/** One warning per Region whose reservations need more than an account's quota may give. */
export function reservationWarnings(reservedByRegion: Readonly<Record<string, number>>): string[] {
  return Object.entries(reservedByRegion)
    .filter(([, reserved]) => reserved > 0)
    .map(([region, reserved]) => {
      const needed = reserved + MIN_UNRESERVED_CONCURRENCY;
      const breaks = needed > DEFAULT_ACCOUNT_CONCURRENCY;
      return (
        `${region}: functions reserve ${reserved} concurrent executions; the account needs a Lambda ` +
        `concurrency quota of at least ${needed} there (${MIN_UNRESERVED_CONCURRENCY} stay unreserved)` +
        (breaks
          ? `, above the default ${DEFAULT_ACCOUNT_CONCURRENCY}: the deploy fails unless the quota is raised`
          : `; new accounts may start below that and refuse the function`)
      );
    });
}
