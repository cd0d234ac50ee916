import { execFileSync } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';

/** What every benchmark report starts with: the machine, the versions, and the disk's fsync rate. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  kernel: string;
  os: string;
  node: string;
  mariadb: string;
  natsServer: string;
  postfix: string;
  /** Serial 4 KB write + fdatasync per second in the repo's file system: the disk's durability ceiling. */
  fsyncPerSecond: number;
}

function version(command: string, args: string[], pattern: RegExp): string {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[1] ?? out.trim().split('\n')[0] ?? 'unknown';
  } catch {
    return 'not installed';
  }
}

/** 4 KB write + fdatasync, `count` times, in one file under `dir`: the B0 calibration of the notes. */
export function fsyncRate(dir: string, count = 2_000): number {
  const file = join(dir, `.fsync-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const block = Buffer.alloc(4096, 120);
  const started = performance.now();
  try {
    for (let i = 0; i < count; i++) {
      writeSync(fd, block);
      fdatasyncSync(fd);
    }
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
  return count / ((performance.now() - started) / 1000);
}

export function machineInfo(repo: string, natsServerBin: string | undefined): MachineInfo {
  const osRelease = readFileSync('/etc/os-release', 'utf8');
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    os: /^PRETTY_NAME="?([^"\n]*)"?/m.exec(osRelease)?.[1] ?? 'unknown',
    node: process.version,
    mariadb: version('mariadbd', ['--version'], /Ver ([^\s]+)/),
    natsServer: natsServerBin === undefined ? 'unknown' : version(natsServerBin, ['--version'], /v([\d.]+)/),
    postfix: version('/usr/sbin/postconf', ['-d', 'mail_version'], /= (\S+)/),
    fsyncPerSecond: fsyncRate(repo),
  };
}

export function describeMachine(info: MachineInfo): string[] {
  return [
    `machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB, ${info.os}, Linux ${info.kernel}`,
    `versions: Node ${info.node}, MariaDB ${info.mariadb}, nats-server ${info.natsServer}, Postfix ${info.postfix}`,
    `disk: ${Math.round(info.fsyncPerSecond).toLocaleString('en-US')} serial 4 KB fdatasync/s (the durability ceiling of one writer)`,
  ];
}
