/**
 * An import's error report as stored (DATA_DIR/imports, cms/src/api/child-import/services/child-import.ts):
 * sealed with the PII key (AES-256-GCM, cms/src/security/pii.ts fileCipher) as it is written — the
 * workbook's bytes go through the cipher straight to the file, never whole in memory, never in plain
 * text on disk — as MAGIC, the IV, the ciphertext, then the tag. Opened the same way; a report sealed
 * before (the whole workbook as base64 text in one `enc:v1:` value) and one written before
 * encryption (a plain xlsx) still open, until they expire.
 */
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { FILE_IV_BYTES, FILE_TAG_BYTES, decryptValue, fileCipher, fileDecipher, isEncrypted } from '../../security/pii';

/** The first bytes of a report sealed in binary (neither an xlsx's `PK` nor the text form's `enc:v1:`). */
const MAGIC = Buffer.from('enc:b1:', 'latin1');
/** How many first bytes tell a stored report's form. */
export const SEAL_HEAD_BYTES = 16;

/** Whether a stored report (its first bytes at least) is sealed, in either form. */
export function isSealed(head: Buffer): boolean {
  return head.subarray(0, MAGIC.length).equals(MAGIC) || isEncrypted(head.subarray(0, SEAL_HEAD_BYTES).toString('latin1'));
}

/**
 * Streams `source` sealed into `file`, created readable by the server's user only (`mode`). The
 * caller renames it into place once this resolves (a reader never sees half a report).
 */
export async function sealTo(source: NodeJS.ReadableStream, file: string, mode: number): Promise<void> {
  const { iv, cipher } = fileCipher();
  // created afresh (a file of the same name left by a crash keeps its own mode otherwise)
  await fs.promises.rm(file, { force: true });
  await pipeline(source, cipher, async function* (sealed: AsyncIterable<Buffer>) {
    yield Buffer.concat([MAGIC, iv]);
    for await (const chunk of sealed) yield chunk;
    // the cipher has ended: its tag is known
    yield cipher.getAuthTag();
  }, fs.createWriteStream(file, { flags: 'wx', mode }));
  await fs.promises.chmod(file, mode);
}

/** A whole workbook sealed (a plain report left from before encryption, sealed by the clean-up). */
export function sealBuffer(plain: Buffer): Buffer {
  const { iv, cipher } = fileCipher();
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([MAGIC, iv, data, cipher.getAuthTag()]);
}

/** The workbook of a stored report, whichever way it was stored. */
export function openSealed(stored: Buffer): Buffer {
  if (stored.subarray(0, MAGIC.length).equals(MAGIC)) {
    const at = MAGIC.length + FILE_IV_BYTES;
    if (stored.length < at + FILE_TAG_BYTES) throw new Error('sealed report cut short');
    const decipher = fileDecipher(stored.subarray(MAGIC.length, at), stored.subarray(stored.length - FILE_TAG_BYTES));
    return Buffer.concat([decipher.update(stored.subarray(at, stored.length - FILE_TAG_BYTES)), decipher.final()]);
  }
  const text = stored.subarray(0, SEAL_HEAD_BYTES).toString('latin1');
  // sealed as text (the whole workbook in base64, one encrypted value), kept until it expires
  if (isEncrypted(text)) return Buffer.from(decryptValue(stored.toString('utf8')), 'base64');
  // written before encryption (kept until it expires)
  return stored;
}

/** The first characters of an uploaded workbook stored sealed in binary, as text (base64 of IV, tag and ciphertext). */
const TEXT_MAGIC = 'enc:b1:';
/** The slice of a workbook encrypted or decrypted at a time (sealText, openText). */
const SEAL_SLICE_BYTES = 1 << 20;

/**
 * An uploaded workbook as the job keeps it in the database (a text column): sealed in binary and
 * base64-encoded once — not base64, encrypted, then base64 again (the whole file as two strings
 * of a third more and three quarters more than its size, cms/src/security/pii.ts encryptValue).
 */
export function sealText(plain: Buffer): string {
  const { iv, cipher } = fileCipher();
  // IV, tag and ciphertext (as long as the text: GCM) in one buffer, encrypted a slice at a time
  // into it: no other copy of the file's size beside the text made of it
  const sealed = Buffer.allocUnsafe(FILE_IV_BYTES + FILE_TAG_BYTES + plain.length);
  iv.copy(sealed, 0);
  let at = FILE_IV_BYTES + FILE_TAG_BYTES;
  for (let from = 0; from < plain.length; from += SEAL_SLICE_BYTES) at += cipher.update(plain.subarray(from, from + SEAL_SLICE_BYTES)).copy(sealed, at);
  at += cipher.final().copy(sealed, at);
  if (at !== sealed.length) throw new Error('sealed workbook: unexpected length');
  cipher.getAuthTag().copy(sealed, FILE_IV_BYTES);
  return TEXT_MAGIC + sealed.toString('base64');
}

/** The workbook stored by sealText — or the old way (an `enc:v1:` value of its base64, or that base64 already decrypted by the query engine). */
export function openText(stored: string): Buffer {
  if (stored.startsWith(TEXT_MAGIC)) {
    const bytes = Buffer.from(stored.slice(TEXT_MAGIC.length), 'base64');
    const at = FILE_IV_BYTES + FILE_TAG_BYTES;
    if (bytes.length < at) throw new Error('sealed workbook cut short');
    const decipher = fileDecipher(bytes.subarray(0, FILE_IV_BYTES), bytes.subarray(FILE_IV_BYTES, at));
    // decrypted in place, a slice at a time (GCM's text is as long as its ciphertext): no other copy of the file's size
    const plain = bytes.subarray(at);
    for (let from = 0; from < plain.length; from += SEAL_SLICE_BYTES) decipher.update(plain.subarray(from, from + SEAL_SLICE_BYTES)).copy(plain, from);
    if (decipher.final().length) throw new Error('sealed workbook: unexpected length');
    return plain;
  }
  return Buffer.from(isEncrypted(stored) ? decryptValue(stored) : stored, 'base64');
}
