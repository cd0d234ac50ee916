import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, commonConfigFields, envName, hostPort, parseConfig, positiveInt, redactConfig } from './config.ts';

const schema = z.object({ ...commonConfigFields, smtpListen: hostPort.default({ host: '0.0.0.0', port: 25 }), maxRecipients: positiveInt.default(100) });

describe('parseConfig', () => {
  it('maps fields to MAILCLUSTER_ variables', () => {
    expect(envName('smtpListen')).toBe('MAILCLUSTER_SMTP_LISTEN');
    expect(envName('dbUrls')).toBe('MAILCLUSTER_DB_URLS');
  });

  it('parses values and applies defaults', () => {
    const config = parseConfig(schema, {
      MAILCLUSTER_DB_URLS: 'mysql://u:p@127.0.0.1:13306/m, mysql://u:p@127.0.0.1:13307/m',
      MAILCLUSTER_SMTP_LISTEN: '[::1]:2525',
    });
    expect(config.dbUrls).toHaveLength(2);
    expect(config.smtpListen).toEqual({ host: '::1', port: 2525 });
    expect(config.maxRecipients).toBe(100);
    expect(config.natsUrl).toEqual(['nats://127.0.0.1:4222']);
  });

  it('lists every problem by variable name', () => {
    try {
      parseConfig(schema, { MAILCLUSTER_SMTP_LISTEN: 'nonsense', MAILCLUSTER_MAX_RECIPIENTS: '-3' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const { problems } = error as ConfigError;
      expect(problems).toContain('MAILCLUSTER_DB_URLS: required but not set');
      expect(problems.some((p) => p.startsWith('MAILCLUSTER_SMTP_LISTEN: expected host:port'))).toBe(true);
      expect(problems.some((p) => p.startsWith('MAILCLUSTER_MAX_RECIPIENTS'))).toBe(true);
    }
  });

  it('refuses db URLs that are not mysql://', () => {
    expect(() => parseConfig(schema, { MAILCLUSTER_DB_URLS: 'postgres://x@y/z' })).toThrow(/MAILCLUSTER_DB_URLS/);
  });

  it('masks secrets when the config is logged', () => {
    const shown = redactConfig({ dbUrls: ['mysql://u:secret@h:1/d'], sessionKey: 'abc', port: 25 });
    expect(JSON.stringify(shown)).not.toContain('secret');
    expect(shown).toEqual({ dbUrls: ['mysql://u:***@h:1/d'], sessionKey: '***', port: 25 });
  });
});
