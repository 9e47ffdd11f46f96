import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fieldError } from '../utils/validation';
import { securityConfig } from './config';

/**
 * Uploaded files are judged by their CONTENT, never by the type or the name the client declared:
 * an `.html` file declared `image/png` would otherwise be stored and served as a page of the
 * application's origin (stored XSS). One table of magic bytes (below) recognises the few types the
 * system accepts; each upload purpose (config/security.json `uploads.purposes`) names the types it
 * accepts and its size limit. A verified file is stored under a generated name with the extension of
 * its verified type; the client's name survives only as the display name.
 *
 * Used by every upload entry point (request evidence, accident proofs, project attachments) and, for
 * any other caller, by the upload service itself (cms/src/extensions/upload/strapi-server.ts).
 */

export type FileType = { mime: string; ext: string; label: string };
type Magic = FileType & { test: (head: Buffer, whole: () => Buffer) => boolean };

const startsWith = (head: Buffer, bytes: number[], offset = 0) => bytes.every((byte, i) => head[offset + i] === byte);
const ascii = (text: string) => [...Buffer.from(text, 'latin1')];
const ZIP = [0x50, 0x4b, 0x03, 0x04];
const OLE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** A name inside a zip (Office Open XML) package: its local headers hold the member names as plain text. */
const zipHas = (whole: Buffer, name: string) => whole.includes(Buffer.from(name, 'latin1'));
/** A stream name inside an OLE compound file (legacy Word and Excel): UTF-16LE in the directory. */
const oleHas = (whole: Buffer, name: string) => whole.includes(Buffer.from(name, 'utf16le'));

/** The types the system can recognise, by content. The first that matches wins. */
const MAGIC: Magic[] = [
  { mime: 'image/jpeg', ext: '.jpg', label: 'JPG', test: (h) => startsWith(h, [0xff, 0xd8, 0xff]) },
  { mime: 'image/png', ext: '.png', label: 'PNG', test: (h) => startsWith(h, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) },
  { mime: 'image/gif', ext: '.gif', label: 'GIF', test: (h) => startsWith(h, ascii('GIF87a')) || startsWith(h, ascii('GIF89a')) },
  { mime: 'image/webp', ext: '.webp', label: 'WEBP', test: (h) => startsWith(h, ascii('RIFF')) && startsWith(h, ascii('WEBP'), 8) },
  // "BM", then the file size, then four reserved zero bytes
  { mime: 'image/bmp', ext: '.bmp', label: 'BMP', test: (h) => h.length >= 26 && startsWith(h, ascii('BM')) && h.readUInt32LE(6) === 0 },
  { mime: 'application/pdf', ext: '.pdf', label: 'PDF', test: (h) => startsWith(h, ascii('%PDF-')) },
  {
    mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', ext: '.docx', label: 'DOCX',
    test: (h, whole) => startsWith(h, ZIP) && zipHas(whole(), '[Content_Types].xml') && zipHas(whole(), 'word/document.xml'),
  },
  {
    mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ext: '.xlsx', label: 'XLSX',
    test: (h, whole) => startsWith(h, ZIP) && zipHas(whole(), '[Content_Types].xml') && zipHas(whole(), 'xl/workbook.xml'),
  },
  { mime: 'application/msword', ext: '.doc', label: 'DOC', test: (h, whole) => startsWith(h, OLE) && oleHas(whole(), 'WordDocument') },
  { mime: 'application/vnd.ms-excel', ext: '.xls', label: 'XLS', test: (h, whole) => startsWith(h, OLE) && (oleHas(whole(), 'Workbook') || oleHas(whole(), 'Book')) },
];

/** The types served inline (shown in the browser); every other verified type is a download. */
const INLINE = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/bmp', 'application/pdf']);

/** The type of `content`, recognised by its bytes; null when it is none of the known types. */
export function detectType(content: Buffer): FileType | null {
  const found = MAGIC.find((magic) => magic.test(content, () => content));
  return found ? { mime: found.mime, ext: found.ext, label: found.label } : null;
}

/** The type of the file at `location`, by its content (null when unknown or unreadable). */
export function detectFileType(location: string): FileType | null {
  try {
    return detectType(fs.readFileSync(location));
  } catch {
    return null;
  }
}

export function servedInline(mime: string): boolean {
  return INLINE.has(mime);
}

type Purpose = { types: string[]; maxBytes: number };

/**
 * The types and size an upload purpose accepts (config/security.json `uploads.purposes`). Any other
 * caller of the upload service (Strapi's own media routes) gets `http.uploadTypes` and `http.uploadMaxBytes`.
 */
export function uploadPurpose(name: string): Purpose {
  const config = securityConfig() as any;
  const purpose = config.uploads?.purposes?.[name];
  if (purpose) return { types: purpose.types ?? [], maxBytes: purpose.maxBytes ?? 10 * 1024 * 1024 };
  return { types: config.http?.uploadTypes ?? [], maxBytes: config.http?.uploadMaxBytes ?? 10 * 1024 * 1024 };
}

/** "JPG/PNG/PDF": the accepted types as people name them. */
export function typeLabels(types: string[]): string {
  return MAGIC.filter((magic) => types.includes(magic.mime)).map((magic) => magic.label).join('/');
}

/** A display name from the client's name: no path, no control or reserved characters, the verified extension. */
export function displayName(clientName: unknown, ext: string): string {
  const base = path.basename(String(clientName ?? '').replace(/\\/g, '/'));
  const stem = base.replace(/\.[^.]*$/, '').replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '').trim().slice(0, 100);
  return `${stem || '文件'}${ext}`;
}

/** What the verification decided about one uploaded file (kept beside the file object). */
export type VerifiedUpload = FileType & { displayName: string };
const verified = new WeakMap<object, VerifiedUpload>();

export function verificationOf(file: object): VerifiedUpload | undefined {
  return verified.get(file);
}

const uploadList = (files: unknown): any[] => (Array.isArray(files) ? files : [files]).filter(Boolean);

/**
 * Checks each uploaded file (formidable: `filepath`, `originalFilename`, `mimetype`, `size`) by its
 * content against the purpose's types and size. A mismatch is a 400 naming `field`. A file that passes
 * is renamed: a generated name with the verified extension, the verified type as its type (what the
 * upload service stores), so nothing the client declared reaches the disk or the answer's headers.
 */
export function verifyUploads(files: unknown, purposeName: string, field = 'files'): any[] {
  const purpose = uploadPurpose(purposeName);
  const list = uploadList(files);
  for (const file of list) {
    if (verified.has(file)) continue;
    const clientName = file.originalFilename ?? file.name ?? '文件';
    const size = Number(file.size ?? 0);
    if (size > purpose.maxBytes) throw fieldError(field, `${clientName}：不能超过 ${Math.floor(purpose.maxBytes / 1024 / 1024)} MB`);
    const location = file.filepath ?? file.path;
    const type = typeof location === 'string' ? detectFileType(location) : null;
    if (!type || !purpose.types.includes(type.mime)) {
      throw fieldError(field, `${clientName}：文件内容与类型不符：只接受 ${typeLabels(purpose.types)} 文件`);
    }
    verified.set(file, { ...type, displayName: displayName(clientName, type.ext) });
    file.originalFilename = `${crypto.randomBytes(12).toString('hex')}${type.ext}`;
    file.mimetype = type.mime;
    file.detectedMimeType = type.mime;
  }
  return list;
}

const FILE = 'plugin::upload.file';

/**
 * Wraps Strapi's upload service (cms/src/extensions/upload/strapi-server.ts) so that no file reaches
 * the disk unchecked, whoever calls it: files an entry point verified for its purpose pass as they
 * are; any other file is verified against `http.uploadTypes` (config/security.json). A name the client
 * sent in `fileInfo` is dropped (Strapi would build the stored name from it); the client's name is set
 * as the display name once the file is stored.
 */
export function withContentCheck(strapi: any, service: any) {
  const checked = (files: unknown) => verifyUploads(files, 'other');
  const withoutNames = (fileInfo: unknown) => {
    if (Array.isArray(fileInfo)) return fileInfo.map((info) => withoutNames(info));
    if (!fileInfo || typeof fileInfo !== 'object') return fileInfo;
    const { name: _ignored, ...rest } = fileInfo as Record<string, unknown>;
    return rest;
  };
  const nameStored = async (files: any[], stored: any[]) => {
    for (let i = 0; i < stored.length; i += 1) {
      const verification = files[i] && verificationOf(files[i]);
      if (stored[i]?.id && verification) {
        await strapi.db.query(FILE).update({ where: { id: stored[i].id }, data: { name: verification.displayName } });
        stored[i].name = verification.displayName;
      }
    }
    return stored;
  };
  return {
    ...service,
    async upload(input: { data?: any; files: unknown }, opts?: unknown) {
      const files = checked(input.files);
      const data = input.data ? { ...input.data, fileInfo: withoutNames(input.data.fileInfo) } : input.data;
      const stored = await service.upload({ ...input, data, files: Array.isArray(input.files) ? files : files[0] }, opts);
      return nameStored(files, Array.isArray(stored) ? stored : [stored]);
    },
    async replace(id: unknown, input: { data?: any; file: unknown }, opts?: unknown) {
      const [file] = checked(input.file);
      const data = input.data ? { ...input.data, fileInfo: withoutNames(input.data.fileInfo) } : input.data;
      const stored = await service.replace(id, { ...input, data, file }, opts);
      await nameStored([file], [stored]);
      return stored;
    },
  };
}
