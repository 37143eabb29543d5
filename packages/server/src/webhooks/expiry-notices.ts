const DAY = 86_400_000;

/** The notices of a credential's expiry, most distant first: 30, 7 and 1 days before, and at expiry. */
export const EXPIRY_NOTICES = [
  { notice: '30d', before: 30 * DAY },
  { notice: '7d', before: 7 * DAY },
  { notice: '1d', before: 1 * DAY },
  { notice: 'expired', before: 0 },
] as const;

export type ExpiryNotice = (typeof EXPIRY_NOTICES)[number]['notice'];

/** A credential that expired longer ago than this gets no notice (a first start does not announce years of expiries). */
export const EXPIRED_NOTICE_WINDOW_MS = 7 * DAY;

/**
 * The notice due for a credential that expires at `expiresAt`, given the notices already sent,
 * or null. Only the most urgent one is due: a key created 5 days before its expiry gets the
 * 7-day notice, never a late 30-day one; the caller marks the more distant notices as sent with
 * it, so each is sent at most once. Pure.
 */
export function dueNotice(expiresAt: number, now: number, sent: ReadonlySet<string>): { notice: ExpiryNotice; covers: ExpiryNotice[] } | null {
  const left = expiresAt - now;
  if (left <= -EXPIRED_NOTICE_WINDOW_MS) return null;
  // The most urgent notice whose moment has come: the last one of the list with left <= before.
  let due = -1;
  EXPIRY_NOTICES.forEach((n, index) => {
    if (left <= n.before) due = index;
  });
  if (due < 0) return null;
  const covers = EXPIRY_NOTICES.slice(0, due + 1).map((n) => n.notice);
  const notice = EXPIRY_NOTICES[due]?.notice;
  if (notice === undefined) return null;
  return sent.has(notice) ? null : { notice, covers };
}
