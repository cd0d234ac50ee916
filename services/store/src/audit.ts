import type { Pool, RowDataPacket } from './pools.ts';

/** One admin action: who did what to which object, when, and how it ended (`ok` or an error code). */
export interface AuditEntry {
  id: number;
  at: Date;
  actor: string;
  action: string;
  target: string;
  outcome: string;
  /** What was asked, as JSON text (never a password or a token). */
  detail: string | null;
}

export type NewAuditEntry = Omit<AuditEntry, 'id' | 'at'>;

/** The audit log lives on db 0 with the other cluster-wide admin tables. */
export async function insertAuditEntry(directory: Pool, entry: NewAuditEntry): Promise<void> {
  await directory.execute('INSERT INTO AdminAudit (Actor, Action, Target, Outcome, Detail) VALUES (?, ?, ?, ?, ?)', [
    entry.actor.slice(0, 200),
    entry.action,
    entry.target.slice(0, 320),
    entry.outcome,
    entry.detail === null ? null : entry.detail.slice(0, 2000),
  ]);
}

export interface AuditQuery {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  /** Entries older than this id (keyset paging, newest first). */
  before?: number | undefined;
  limit: number;
}

export async function listAuditEntries(directory: Pool, query: AuditQuery): Promise<AuditEntry[]> {
  const where: string[] = [];
  const params: (string | number)[] = [];
  for (const [column, value] of [['Actor', query.actor], ['Action', query.action], ['Target', query.target]] as const) {
    if (value === undefined) continue;
    where.push(`${column} = ?`);
    params.push(value);
  }
  if (query.before !== undefined) {
    where.push('Id < ?');
    params.push(query.before);
  }
  const [rows] = await directory.query<RowDataPacket[]>(
    `SELECT Id, At, Actor, Action, Target, Outcome, Detail FROM AdminAudit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY Id DESC LIMIT ${Math.trunc(query.limit)}`,
    params,
  );
  return rows.map((row) => ({
    id: Number(row.Id),
    at: row.At as Date,
    actor: String(row.Actor),
    action: String(row.Action),
    target: String(row.Target),
    outcome: String(row.Outcome),
    detail: row.Detail == null ? null : String(row.Detail),
  }));
}
