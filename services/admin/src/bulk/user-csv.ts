import { AdminError } from '../errors.ts';

/**
 * The user CSV of import and export: `address,password,quota,name`. `password` is an argon2 PHC
 * hash (`$argon2id$…`, as export writes it) or a plain password; `quota` is bytes, `500M`-style,
 * or empty for the domain's default; `name` is the display name. A first line naming the columns
 * (any order) is a header; without one the columns are in that order.
 */
export const USER_CSV_COLUMNS = ['address', 'password', 'quota', 'name'] as const;
export type UserCsvColumn = (typeof USER_CSV_COLUMNS)[number];

export type UserCsvRecord = Record<UserCsvColumn, string>;

/** Column positions from a header record, or null when the record is not a header. */
export function headerColumns(record: readonly string[]): Map<UserCsvColumn, number> | null {
  const names = record.map((field) => field.trim().toLowerCase());
  if (names[0] !== 'address') return null;
  const columns = new Map<UserCsvColumn, number>();
  for (const [i, name] of names.entries()) {
    const column = USER_CSV_COLUMNS.find((c) => c === name);
    if (column === undefined) throw new AdminError('ADMIN_ERR_BAD_CSV', `unknown column ${JSON.stringify(name)} (known: ${USER_CSV_COLUMNS.join(', ')})`);
    columns.set(column, i);
  }
  if (!columns.has('password')) throw new AdminError('ADMIN_ERR_BAD_CSV', 'the header names no password column');
  return columns;
}

export const POSITIONAL_COLUMNS: ReadonlyMap<UserCsvColumn, number> = new Map(USER_CSV_COLUMNS.map((c, i) => [c, i]));

/** A record as named fields; AdminError when it has more fields than columns. */
export function userRecord(record: readonly string[], columns: ReadonlyMap<UserCsvColumn, number>): UserCsvRecord {
  if (record.length > columns.size) throw new AdminError('ADMIN_ERR_BAD_CSV', `${record.length} fields, at most ${columns.size} expected`);
  const field = (column: UserCsvColumn) => {
    const i = columns.get(column);
    return i === undefined ? '' : (record[i] ?? '');
  };
  return { address: field('address'), password: field('password'), quota: field('quota'), name: field('name') };
}

/**
 * The fields of one CSV line (RFC 4180 quoting: `"a, ""b"""` is `a, "b"`). A user CSV has no line
 * breaks inside fields, so each line is read alone and a broken quote spoils only its own line,
 * never the lines after it. A quote inside an unquoted field is taken literally.
 */
export function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      for (i++; ; i++) {
        if (i >= line.length) throw new AdminError('ADMIN_ERR_BAD_CSV', 'a quoted field is not closed on its line');
        if (line[i] === '"') {
          if (line[i + 1] !== '"') break;
          i++;
        }
        value += line[i];
      }
      i++;
      if (i < line.length && line[i] !== ',') throw new AdminError('ADMIN_ERR_BAD_CSV', `text after the closing quote of field ${fields.length + 1}`);
      fields.push(value);
    } else {
      const end = line.indexOf(',', i);
      fields.push(line.slice(i, end === -1 ? line.length : end));
      i = end === -1 ? line.length : end;
    }
    if (i >= line.length) return fields;
    i++; // the comma
  }
}

/** One CSV field: quoted when it holds a comma, quote, line break or surrounding space (RFC 4180). */
function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function csvLine(fields: readonly string[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
