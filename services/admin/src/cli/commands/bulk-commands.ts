import { createReadStream, createWriteStream, statSync } from 'node:fs';
import { type Command, required } from '../cli-context.ts';
import { Progress } from '../progress.ts';

/** Set when an import refused lines: mailctl then exits 1 after printing the summary. */
export class LinesRejected extends Error {}

export const BULK_COMMANDS: Record<string, Command> = {
  async 'user import'({ admin, options }, [file]) {
    const path = required(file, 'CSV file (- for standard input)');
    const input = path === '-' ? process.stdin : createReadStream(path);
    const progress = new Progress('import', path === '-' ? undefined : statSync(path).size);
    const summary = await admin.imports.run(input, {
      source: path === '-' ? 'stdin' : path,
      onProgress: (c) => progress.update(c.lines, c.bytes, `${c.created.toLocaleString('en')} created · ${c.existing.toLocaleString('en')} existing · ${c.rejected.toLocaleString('en')} rejected`),
    });
    const rate = Math.round(summary.lines / Math.max(summary.seconds, 0.001));
    progress.finish(
      `done in ${summary.seconds.toFixed(1)} s: ${summary.lines} lines, ${summary.created} created, ${summary.existing} existing, ${summary.rejected} rejected ` +
        `(${rate} lines/s; ${summary.hashed} plain passwords hashed)`,
    );
    if (options.json) process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
    else if (summary.rejections.length > 0) {
      process.stdout.write(`rejected lines:\n${summary.rejections.map((r) => `  line ${r.line}: ${r.code}: ${r.reason}`).join('\n')}\n`);
    }
    if (summary.rejected > 0) throw new LinesRejected(`${summary.rejected} lines rejected (see above); the others were imported`);
  },
  async 'user export'({ admin, options }, [file]) {
    const toStdout = file === undefined || file === '-';
    const progress = new Progress('export', undefined);
    const users = await admin.exports.run(toStdout ? process.stdout : createWriteStream(file, { mode: 0o600 }), {
      domain: options.domain,
      end: !toStdout,
      onPage: (count) => progress.update(count, 0, 'users'),
    });
    progress.finish(`done: ${users} users${toStdout ? '' : ` to ${file}`}`);
  },
};
