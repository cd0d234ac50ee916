import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dbConfigFile } from './db.ts';

/** `key = value` lines of a my.cnf section, comments and blank lines dropped. */
function settings(text: string): Map<string, string> {
  const entries = text.split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('['))
    .map((line) => {
      const [key = '', ...value] = line.split('=');
      return [key.trim().replaceAll('_', '-'), value.join('=').trim()] as const;
    });
  return new Map(entries);
}

/** The [mariadb] section of the local stack's generated my.cnf, as written in the script. */
function stackServerSettings(): Map<string, string> {
  const script = readFileSync(new URL('../../../hack/lib/stack-mariadb.sh', import.meta.url), 'utf8');
  const section = /^\[mariadb\]\n([\s\S]*?)^EOF$/m.exec(script)?.[1];
  if (section === undefined) throw new Error('no [mariadb] section in hack/lib/stack-mariadb.sh');
  return settings(section);
}

/** What only the local stack has: paths, the OS user and the loopback address of its processes. */
const STACK_ONLY = ['user', 'datadir', 'tmpdir', 'pid-file', 'bind-address'];

describe('the db tier runs the settings the tests run on', () => {
  it('has every server setting of the local stack, with the same value (the buffer pool aside)', () => {
    const stack = stackServerSettings();
    const operator = settings(dbConfigFile('4Gi'));
    for (const key of [...STACK_ONLY, 'innodb-buffer-pool-size']) stack.delete(key);
    operator.delete('innodb-buffer-pool-size');
    expect(Object.fromEntries(operator)).toEqual(Object.fromEntries(stack));
  });

  it('gives the buffer pool 60 % of the memory limit, at least 128 MiB', () => {
    expect(settings(dbConfigFile('4Gi')).get('innodb-buffer-pool-size')).toBe('2457M');
    expect(settings(dbConfigFile('128Mi')).get('innodb-buffer-pool-size')).toBe('128M');
  });
});
