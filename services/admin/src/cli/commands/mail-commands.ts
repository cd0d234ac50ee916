import { FOLDERS } from '@mailcluster/store';
import { type Command, UsageError, limitOption, print, required } from '../cli-context.ts';

function isFolderName(name: string): name is keyof typeof FOLDERS {
  return Object.hasOwn(FOLDERS, name);
}

export const MAIL_COMMANDS: Record<string, Command> = {
  async 'mail list'({ admin, options }, [address]) {
    const folder = options.folder ?? 'inbox';
    if (!isFolderName(folder)) throw new UsageError(`--folder must be one of ${Object.keys(FOLDERS).join(', ')}`);
    const messages = await admin.users.listMail(required(address, 'address'), folder, limitOption(options, 20));
    print(
      options,
      messages.map((m) => ({ id: m.id, received: m.receivedAt.toISOString(), from: m.fromAddress || m.emailFrom, subject: m.subject, size: m.size, seen: m.seen })),
      ['id', 'received', 'from', 'subject', 'size', 'seen'],
    );
  },
};
