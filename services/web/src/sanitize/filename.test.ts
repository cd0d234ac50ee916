import { describe, expect, it } from 'vitest';
import { attachmentDisposition, downloadContentType, safeFilename } from './filename.ts';

describe('attachment names and types', () => {
  it('drops paths, controls and bidi overrides', () => {
    expect(safeFilename('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(safeFilename('invoice\u202Efdp.exe')).toBe('invoice_fdp.exe');
    expect(safeFilename('a\r\nb\u0000.txt')).toBe('a__b_.txt');
    expect(safeFilename('   ')).toBe('attachment');
  });

  it('offers a download with an ASCII name and the UTF-8 one', () => {
    expect(attachmentDisposition('Grüße "x";.pdf')).toBe(`attachment; filename="Gr__e _x__.pdf"; filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%22x%22%3B.pdf`);
  });

  it('serves only passive types as themselves', () => {
    expect(downloadContentType('text/html; charset=utf-8')).toBe('application/octet-stream');
    expect(downloadContentType('image/svg+xml')).toBe('application/octet-stream');
    expect(downloadContentType('application/xml')).toBe('application/octet-stream');
    expect(downloadContentType('application/PDF')).toBe('application/pdf');
    expect(downloadContentType('text/plain')).toBe('text/plain; charset=utf-8');
  });
});
