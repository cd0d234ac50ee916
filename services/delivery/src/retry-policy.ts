/** What to do after an attempt that failed for a reason that may pass (4xx, no connection). */
export type TemporaryDecision =
  | { kind: 'retry'; delayMs: number; warn: boolean }
  | { kind: 'give-up' };

export interface RetrySettings {
  retryDelaysMs: readonly number[];
  maxLifetimeMs: number;
  warnAfterMs: number;
}

/**
 * Postfix-like retries (RFC 5321 §4.5.4.1): wait longer after each failed attempt, up to the last
 * delay; once the message is older than its lifetime, stop and bounce it. A sender is warned once,
 * when the message first fails after warnAfterMs.
 */
export function afterTemporaryFailure(settings: RetrySettings, attempts: number, ageMs: number, warned: boolean): TemporaryDecision {
  if (ageMs >= settings.maxLifetimeMs) return { kind: 'give-up' };
  const delays = settings.retryDelaysMs;
  const delayMs = delays[Math.min(attempts - 1, delays.length - 1)] ?? delays.at(-1) ?? 300_000;
  return { kind: 'retry', delayMs, warn: settings.warnAfterMs > 0 && !warned && ageMs >= settings.warnAfterMs };
}
