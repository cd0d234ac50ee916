/**
 * How long a run of failed sign-ins locks an account: nothing below `threshold` failures, then 30 s,
 * doubling with each further failure, at most 15 minutes (OWASP: lock the account, not the IP,
 * exponentially, and say the same thing whether or not the account exists).
 */
export function accountLockSeconds(failures: number, threshold: number): number {
  if (failures < threshold) return 0;
  return Math.min(900, 30 * 2 ** Math.min(failures - threshold, 10));
}

/** Seconds left of a lock that started at `since`, or 0 when it is over. */
export function secondsLeft(since: Date, lockSeconds: number, now: Date): number {
  return Math.max(0, Math.ceil((since.getTime() + lockSeconds * 1000 - now.getTime()) / 1000));
}
