import type { Logger } from './logger.ts';

export interface ShutdownOptions {
  log: Logger;
  /** Stops the service in order: stop taking work, finish or hand back what is in flight, close. */
  stop: () => Promise<void>;
  /** After this the process exits anyway; keep it below the pod's terminationGracePeriodSeconds. */
  timeoutMs: number;
}

/**
 * SIGTERM/SIGINT run `stop` once and exit 0; a second signal or the timeout exits 1 at once.
 * An unhandled rejection or exception is logged and exits 1: a half-broken process must not keep
 * accepting mail.
 */
export function handleShutdown({ log, stop, timeoutMs }: ShutdownOptions): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    log.info({ signal, timeoutMs }, 'shutting down');
    setTimeout(() => {
      log.error({ timeoutMs }, 'shutdown timed out');
      process.exit(1);
    }, timeoutMs).unref();
    stop().then(
      () => {
        log.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  const crash = (error: unknown) => {
    log.fatal({ err: error }, 'crashed');
    process.exit(1);
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}
