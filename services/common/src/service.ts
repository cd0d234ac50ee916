import type { z } from 'zod';
import { ConfigError, parseConfig, redactConfig } from './config.ts';
import { type LogLevel, type Logger, createLogger } from './logger.ts';

/**
 * The start of every service's main: parse the config (exit 2 with every problem listed when it is
 * invalid), make the logger, and log the effective config with secrets masked.
 */
export function startService<S extends z.ZodObject>(
  service: string,
  schema: S,
): { config: z.infer<S>; log: Logger } {
  let config: z.infer<S>;
  try {
    config = parseConfig(schema);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${service}: ${error.message}\n`);
    process.exit(2);
  }
  const level = (config as { logLevel?: LogLevel }).logLevel ?? 'info';
  const log = createLogger(service, level);
  log.info({ config: redactConfig(config) }, 'starting');
  return { config, log };
}
