import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from './logger.ts';

/**
 * Runs `attempt` until it succeeds, waiting 0.5 s, 1 s, 2 s … (capped) between tries. For start-up
 * steps that depend on another component coming up (NATS forming its cluster, a db restarting):
 * the service waits for it and says so, instead of crash-looping.
 */
export async function retryUntilDone<T>(
  what: string,
  attempt: () => Promise<T>,
  options: { log: Logger; maxDelayMs?: number; signal?: AbortSignal },
): Promise<T> {
  let delay = 500;
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (options.signal?.aborted) throw error;
      options.log.warn({ err: error, tries, retryInMs: delay }, `${what} failed; retrying`);
      await sleep(delay, undefined, { signal: options.signal });
      delay = Math.min(delay * 2, options.maxDelayMs ?? 10_000);
    }
  }
}
