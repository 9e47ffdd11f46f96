import crypto from 'node:crypto';
import { loadSecrets } from '../runtime/secrets';
import { displayName, servedInline, type FileType } from './upload-content';

/**
 * Uploaded files (evidence) are not public: `/uploads/…` answers 404, and every file URL in an API
 * answer is rewritten to a signed, short-lived link `/api/files/<name>?exp=…&sig=…`. Only callers
 * who may read the record (the access scope decided that answer) get the link.
 */
export const LINK_MINUTES = 10;

function signature(name: string, exp: number): string {
  return crypto.createHmac('sha256', `files:${loadSecrets().APP_KEYS}`).update(`${name}:${exp}`).digest('base64url');
}

export function signedFileUrl(uploadPath: string, now = Date.now()): string {
  const name = uploadPath.slice('/uploads/'.length);
  const exp = Math.floor(now / 1000) + LINK_MINUTES * 60;
  return `/api/files/${encodeURIComponent(name)}?exp=${exp}&sig=${signature(name, exp)}`;
}

export function validFileLink(name: string, exp: unknown, sig: unknown, now = Date.now()): boolean {
  const expiry = Number(exp);
  if (!/^[A-Za-z0-9_.-]+$/.test(name) || !Number.isInteger(expiry) || expiry * 1000 < now || typeof sig !== 'string') return false;
  const expected = Buffer.from(signature(name, expiry));
  const given = Buffer.from(sig);
  return expected.length === given.length && crypto.timingSafeEqual(expected, given);
}

/**
 * The headers of a file answer (`GET /api/files/<name>`). The type is the one recognised from the
 * file's content when it is served (cms/src/security/upload-content.ts), never the type stored from the
 * client; a file of no known type is a download of `application/octet-stream`. Only images and PDF
 * are shown inline; everything else is an attachment. `nosniff` and a sandboxing CSP keep the browser
 * from running anything the file might hold, on the application's origin.
 */
export function fileAnswerHeaders(type: FileType | null, storedName: unknown, fallbackName: string): Record<string, string> {
  const mime = type?.mime ?? 'application/octet-stream';
  const name = type ? displayName(storedName ?? fallbackName, type.ext) : fallbackName;
  const asciiName = /^[\x20-\x7e]+$/.test(name) && !/["\\]/.test(name) ? name : `file${type?.ext ?? ''}`;
  const disposition = type && servedInline(type.mime) ? 'inline' : 'attachment';
  return {
    'Content-Type': mime,
    'Content-Disposition': `${disposition}; filename="${asciiName}"; filename*=UTF-8''${encodeURIComponent(name)}`,
    'Cache-Control': 'private, no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Security-Policy': "default-src 'none'; sandbox",
  };
}

/** Rewrites, in place, every `/uploads/…` string of an answer into a signed link. */
export function signFileUrls(value: any, depth = 0): void {
  if (!value || typeof value !== 'object' || depth > 8 || value instanceof Date) return;
  // every answer passes here: no entries array per object
  const keys = Object.keys(value);
  for (let i = 0; i < keys.length; i += 1) {
    const item = (value as any)[keys[i]];
    if (typeof item === 'string') {
      if (item.startsWith('/uploads/')) (value as any)[keys[i]] = signedFileUrl(item);
    } else if (item && typeof item === 'object') {
      signFileUrls(item, depth + 1);
    }
  }
}

/**
 * The temporary files a multipart request left (formidable writes every upload to the system's
 * temporary directory). Strapi's body parser removes those of a field named `files` only; an
 * import's `file` (a spreadsheet of children's personal data) would stay on disk for good.
 */
export function temporaryUploads(files: unknown): string[] {
  if (!files || typeof files !== 'object') return [];
  const paths: string[] = [];
  for (const value of Object.values(files as Record<string, unknown>)) {
    for (const file of Array.isArray(value) ? value : [value]) {
      const filepath = (file as any)?.filepath ?? (file as any)?.path;
      if (typeof filepath === 'string' && filepath) paths.push(filepath);
    }
  }
  return paths;
}
