import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertPortFree, waitForPort } from './smtp-sink.ts';

/**
 * A private Postfix instance, the peer MTA of the SMTP accept benchmark: its own config and queue
 * directories under ~/.cache/mailcluster/bench/postfix-<mode>, smtpd on a loopback port of its own,
 * started and stopped by the benchmark. /etc/postfix and the system's instance are not touched
 * (`postfix -c DIR` needs no registration when run as root). Settings as measured in
 * shared/notes/postfix-on-this-machine.md: the virtual domain bench.test with the `discard:`
 * transport, everything else at Postfix's defaults — so cleanup fsyncs every queue file before
 * smtpd answers 250 — except chroot (off, so the queue needs no copy of /etc) and the log, which
 * goes to a file of the instance (maillog_file, as in the notes).
 *
 * - `hold`: every message parks in the hold queue; accept only, like our ingest with the writers stopped.
 * - `discard`: accept and deliver to discard:, the queue empties as it fills (Wietse's "intrinsic limit" setup).
 */
export type PostfixMode = 'hold' | 'discard';

const run = promisify(execFile);

export const BENCH_DOMAIN = 'bench.test';

/**
 * Postfix opens data_directory (master.lock) as the postfix user, who cannot enter root's home
 * (mode 700): that one directory lives outside it.
 */
const DATA_ROOT = '/var/lib/mailcluster-bench-postfix';

function mainCf(dir: string, mode: PostfixMode): string {
  const restrictions = mode === 'hold' ? 'check_client_access static:HOLD, permit_mynetworks, reject_unauth_destination' : 'permit_mynetworks, reject_unauth_destination';
  return `# Written by bench/lib/postfix.ts for the SMTP accept benchmark (${mode}); rewritten at every start.
compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${DATA_ROOT}/${mode}
myhostname = mx.bench.localhost
syslog_name = postfix-bench-${mode}
maillog_file = ${dir}/postfix.log
maillog_file_prefixes = ${dir}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
mydestination =
relay_domains =
alias_maps =
alias_database =
local_recipient_maps =
biff = no
virtual_mailbox_domains = ${BENCH_DOMAIN}
virtual_mailbox_maps = static:ok
transport_maps = inline:{ ${BENCH_DOMAIN}=discard: }
smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
smtpd_recipient_restrictions = ${restrictions}
`;
}

/** Debian's master.cf services that mail flow needs, chroot off, smtpd on our port only. */
function masterCf(port: number): string {
  const services = [
    [`127.0.0.1:${port}`, 'inet', 'n', '-', 'n', '-', '-', 'smtpd'],
    ['pickup', 'unix', 'n', '-', 'n', '60', '1', 'pickup'],
    ['cleanup', 'unix', 'n', '-', 'n', '-', '0', 'cleanup'],
    ['qmgr', 'unix', 'n', '-', 'n', '300', '1', 'qmgr'],
    ['rewrite', 'unix', '-', '-', 'n', '-', '-', 'trivial-rewrite'],
    ['bounce', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
    ['defer', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
    ['trace', 'unix', '-', '-', 'n', '-', '0', 'bounce'],
    ['verify', 'unix', '-', '-', 'n', '-', '1', 'verify'],
    ['flush', 'unix', 'n', '-', 'n', '1000?', '0', 'flush'],
    ['proxymap', 'unix', '-', '-', 'n', '-', '-', 'proxymap'],
    ['showq', 'unix', 'n', '-', 'n', '-', '-', 'showq'],
    ['error', 'unix', '-', '-', 'n', '-', '-', 'error'],
    ['retry', 'unix', '-', '-', 'n', '-', '-', 'error'],
    ['discard', 'unix', '-', '-', 'n', '-', '-', 'discard'],
    ['anvil', 'unix', '-', '-', 'n', '-', '1', 'anvil'],
    ['scache', 'unix', '-', '-', 'n', '-', '1', 'scache'],
    ['postlog', 'unix-dgram', 'n', '-', 'n', '-', '1', 'postlogd'],
  ];
  return `${services.map((fields) => fields.join('  ')).join('\n')}\n`;
}

function countFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true }).filter((name) => statSync(join(dir, String(name))).isFile()).length;
}

export class BenchPostfix {
  readonly mode: PostfixMode;
  readonly port: number;
  readonly #dir: string;

  private constructor(mode: PostfixMode, port: number, dir: string) {
    this.mode = mode;
    this.port = port;
    this.#dir = dir;
  }

  /** Writes the instance's configuration over an empty queue and starts it; resolves once smtpd listens. */
  static async start(mode: PostfixMode, port: number): Promise<BenchPostfix> {
    const dir = join(homedir(), '.cache', 'mailcluster', 'bench', `postfix-${mode}`);
    const postfix = new BenchPostfix(mode, port, dir);
    await postfix.#postfix('stop').catch(() => {}); // left running by a run that was killed
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'etc'), { recursive: true });
    mkdirSync(join(dir, 'queue'), { recursive: true });
    const data = join(DATA_ROOT, mode);
    mkdirSync(data, { recursive: true });
    const id = async (flag: '-u' | '-g') => Number((await run('id', [flag, 'postfix'])).stdout.trim());
    chownSync(data, await id('-u'), await id('-g'));
    writeFileSync(join(dir, 'etc', 'main.cf'), mainCf(dir, mode));
    writeFileSync(join(dir, 'etc', 'master.cf'), masterCf(port));
    await assertPortFree(port);
    try {
      await postfix.#postfix('start');
      await waitForPort(port, 30_000);
    } catch (error) {
      throw new Error(`Postfix (${mode}) did not start: ${error instanceof Error ? error.message : String(error)}\n${postfix.logTail()}`, { cause: error });
    }
    return postfix;
  }

  /** Messages parked in the hold queue. */
  held(): number {
    return countFiles(join(this.#dir, 'queue', 'hold'));
  }

  /** Messages still on their way through the queue (incoming, active, deferred). */
  inFlight(): number {
    return ['incoming', 'active', 'deferred', 'maildrop'].reduce((sum, queue) => sum + countFiles(join(this.#dir, 'queue', queue)), 0);
  }

  /** How many deliveries the log reports as done (`status=sent`), for the discard mode's check. */
  delivered(): number {
    const log = join(this.#dir, 'postfix.log');
    return existsSync(log) ? (readFileSync(log, 'latin1').match(/ status=sent /g)?.length ?? 0) : 0;
  }

  logTail(lines = 15): string {
    const log = join(this.#dir, 'postfix.log');
    return existsSync(log) ? readFileSync(log, 'latin1').trimEnd().split('\n').slice(-lines).join('\n') : '(no log)';
  }

  /** Stops the instance and deletes its queue (and so every held message). */
  async stop(): Promise<void> {
    await this.#postfix('stop');
    rmSync(this.#dir, { recursive: true, force: true });
  }

  async #postfix(command: 'start' | 'stop'): Promise<void> {
    await run('/usr/sbin/postfix', ['-c', join(this.#dir, 'etc'), command], { timeout: 60_000 });
  }
}
