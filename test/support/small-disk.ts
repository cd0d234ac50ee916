import { execFile } from 'node:child_process';
import { mkdtemp, open, rm, statfs, unlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface SmallDisk {
  dir: string;
  /** Fills the file system with a ballast file until only `leaveBytes` are free. */
  fill(leaveBytes: number): Promise<void>;
  /** Removes the ballast: the space is back. */
  free(): Promise<void>;
  unmount(): Promise<void>;
}

/**
 * A real file system that can run full: a tmpfs of `sizeBytes` (mounting needs root, as the
 * stack's scripts do), owned like `ownerOf` so the MariaDB server of the stack can write there.
 */
export async function mountSmallDisk(sizeBytes: number, ownerOf: string): Promise<SmallDisk> {
  const dir = await mkdtemp(join(tmpdir(), 'mailcluster-small-disk-'));
  await run('mount', ['-t', 'tmpfs', '-o', `size=${sizeBytes},mode=0770`, 'tmpfs', dir]);
  await run('chown', [`--reference=${ownerOf}`, dir]);
  const ballast = join(dir, 'ballast');
  return {
    dir,
    fill: async (leaveBytes) => {
      const { bavail, bsize } = await statfs(dir);
      const file = await open(ballast, 'w');
      try {
        await file.write(Buffer.alloc(Math.max(0, bavail * bsize - leaveBytes)));
      } finally {
        await file.close();
      }
    },
    free: () => unlink(ballast),
    unmount: async () => {
      await run('umount', [dir]);
      await rm(dir, { recursive: true });
    },
  };
}
