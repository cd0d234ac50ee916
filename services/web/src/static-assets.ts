import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * The two static files (one stylesheet, one small script: no build step, no framework), read once
 * and served under a name with their content hash, so browsers may cache them for a year.
 */
export interface StaticAsset {
  url: string;
  contentType: string;
  body: Buffer;
}

function load(name: string, contentType: string): StaticAsset {
  const body = readFileSync(new URL(`./static/${name}`, import.meta.url));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12);
  const dot = name.lastIndexOf('.');
  return { url: `/static/${name.slice(0, dot)}-${hash}${name.slice(dot)}`, contentType, body };
}

export const STATIC_ASSETS = {
  css: load('app.css', 'text/css; charset=utf-8'),
  js: load('app.js', 'text/javascript; charset=utf-8'),
} as const;
