import { z } from 'zod';

/**
 * Service configuration comes only from environment variables named `MAILCLUSTER_<KEY>`, where KEY
 * is the schema field in upper snake case (`smtpListen` ← `MAILCLUSTER_SMTP_LISTEN`). Each service
 * declares one zod schema holding every default; it is parsed once at start-up.
 */
export const ENV_PREFIX = 'MAILCLUSTER_';

export function envName(key: string): string {
  return ENV_PREFIX + key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
}

export class ConfigError extends Error {
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export function parseConfig<S extends z.ZodObject>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): z.infer<S> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[envName(key)];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = issue.path[0];
      const where = typeof key === 'string' ? envName(key) : 'config';
      if (typeof key === 'string' && input[key] === undefined) return `${where}: required but not set`;
      const given = typeof key === 'string' ? ` (got ${JSON.stringify(input[key])})` : '';
      return `${where}: ${issue.message}${given}`;
    }),
  );
}

const SECRET_KEY = /password|secret|token|key$/i;

/** The config as it may be logged: secret fields masked, passwords in URLs masked. */
export function redactConfig(config: Record<string, unknown>): Record<string, unknown> {
  const mask = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/(\/\/[^:/@\s]+:)[^@\s]*@/g, '$1***@');
    if (Array.isArray(value)) return value.map(mask);
    return value;
  };
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [key, SECRET_KEY.test(key) && value !== undefined ? '***' : mask(value)]),
  );
}

// ---- field types shared by the services' schemas ----

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port` (`[::1]:25` for IPv6); port 0 asks the OS for a free port. */
export const hostPort = z.string().transform((value, ctx): HostPort => {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = match ? Number(match[3]) : NaN;
  if (!match || port > 65_535) {
    ctx.addIssue({ code: 'custom', message: 'expected host:port' });
    return z.NEVER;
  }
  return { host: match[1] ?? match[2] ?? '', port };
});

/** A comma-separated list; blanks dropped. */
export const csv = z.string().transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item !== ''));

export const boolean = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeInt = z.coerce.number().int().nonnegative();

export const logLevel = z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** `mysql://user:password@host:port/database` URLs, one per db ordinal, in ordinal order. */
export const dbUrls = csv.pipe(
  z
    .array(z.url({ protocol: /^mysql$/, error: 'expected mysql://user:password@host:port/database' }))
    .min(1, 'at least one db URL is needed'),
);

/** The fields every service that reaches the mail store and queue shares. */
export const commonConfigFields = {
  logLevel: logLevel.default('info'),
  natsUrl: csv.pipe(z.array(z.string()).min(1)).default(['nats://127.0.0.1:4222']),
  dbUrls,
  /** Shard map JSON (a mounted ConfigMap); without it, rendezvous over the db URLs. */
  shardMapFile: z.string().optional(),
  /** Where `/metrics`, `/healthz` and `/readyz` are served. */
  opsListen: hostPort.default({ host: '0.0.0.0', port: 9090 }),
};
