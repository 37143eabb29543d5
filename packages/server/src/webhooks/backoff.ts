/**
 * When a failed delivery is tried again: after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h
 * (about 28 hours in all, the schedule of the Standard Webhooks reference implementation),
 * each delay spread by ±20 % so that a receiver coming back is not hit by every retry at once.
 * Pure: `random` is in [0, 1).
 */
export const RETRY_DELAYS_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** The delay before attempt `attempts + 1` after `attempts` failed ones, or null: give up, the delivery has failed. */
export function retryDelay(attempts: number, random: number): number | null {
  const base = RETRY_DELAYS_MS[attempts - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random));
}
