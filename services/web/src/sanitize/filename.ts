/**
 * Attachment file names as they are shown and offered for download: no control or bidi-override
 * characters (a U+202E can make `exe.pdf` read as `fdp.exe`), no path, a bounded length.
 */
// eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff/\\]/g;

export function safeFilename(name: string, fallback = 'attachment'): string {
  const cleaned = name.replace(UNSAFE, '_').replace(/^[.\s]+/, '').trim().slice(0, 150);
  return cleaned === '' ? fallback : cleaned;
}

/** `Content-Disposition: attachment` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 5987). */
export function attachmentDisposition(name: string): string {
  const safe = safeFilename(name);
  const ascii = safe.replace(/[^\x20-\x7e]/g, '_').replace(/["%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(safe).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}

/** Types a browser may be handed as they are; anything else is served as application/octet-stream. */
const PASSIVE_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/gif', 'image/webp', 'text/plain', 'text/csv', 'application/zip']);

export function downloadContentType(declared: string): string {
  const type = declared.split(';')[0]?.trim().toLowerCase() ?? '';
  if (!PASSIVE_TYPES.has(type)) return 'application/octet-stream';
  return type.startsWith('text/') ? `${type}; charset=utf-8` : type;
}
