// The merchant portal's built files (portal/dist, written by `npm run build`), read once when the
// gateway mounts them: index.html and the content-hashed assets, each kept with its gzip form.
// From gateway/dist/portal/ and gateway/src/portal/ alike, portal/dist is three folders up.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface PortalFile {
  contentType: string;
  body: Buffer;
  /** The gzip form, when it is smaller (text types). */
  gzip?: Buffer;
}

export interface PortalFiles {
  index: PortalFile;
  /** By path under /portal/ ("assets/index-3f2a.js"). */
  assets: ReadonlyMap<string, PortalFile>;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
};
const COMPRESSIBLE = /^(text\/|image\/svg|application\/json)/;

export function defaultPortalDist(): string {
  return fileURLToPath(new URL('../../../portal/dist/', import.meta.url));
}

function fileOf(path: string): PortalFile | undefined {
  const ext = path.slice(path.lastIndexOf('.'));
  const contentType = TYPES[ext];
  if (!contentType) return undefined; // not a type the portal emits: not served
  const body = readFileSync(path);
  const gz = COMPRESSIBLE.test(contentType) ? gzipSync(body, { level: 9 }) : undefined;
  return { contentType, body, ...(gz && gz.length < body.length ? { gzip: gz } : {}) };
}

function walk(dir: string, prefix: string, out: Map<string, PortalFile>): void {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, `${prefix}${name}/`, out);
    else {
      const file = fileOf(full);
      if (file) out.set(`${prefix}${name}`, file);
    }
  }
}

/** The built portal, or undefined when it was not built (no index.html). */
export function loadPortalFiles(dist = defaultPortalDist()): PortalFiles | undefined {
  const indexPath = join(dist, 'index.html');
  if (!existsSync(indexPath)) return undefined;
  const assets = new Map<string, PortalFile>();
  const assetsDir = join(dist, 'assets');
  if (existsSync(assetsDir)) walk(assetsDir, 'assets/', assets);
  return { index: fileOf(indexPath)!, assets };
}
