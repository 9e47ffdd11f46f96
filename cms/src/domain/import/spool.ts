/**
 * A large import's scratch file: the rows of the workbook, checked, a batch per frame, so that the
 * import holds one batch at a time (the children's import writes them, then reads them back to
 * insert and again to write its report, cms/src/api/child-import/services/child-import.ts). Each
 * batch is encrypted with the PII key (AES-256-GCM, cms/src/security/pii.ts fileCipher: its own IV
 * and tag, in binary — no base64 to encode and decode) and the file is readable by the server's user
 * only: it holds ID numbers. The batches are JSON (the uploaded cells through packCells, so that
 * dates come back as dates). A file left by a
 * crash is removed with the other scratch files of DATA_DIR/imports (expireReports).
 */
import fs from 'node:fs';
import { FILE_IV_BYTES, FILE_TAG_BYTES, fileCipher, fileDecipher } from '../../security/pii';

const DATE = '$date';

/** A row's cells as uploaded, ready for JSON: a date cell as `{ $date: ISO }` (the rest is text, numbers, booleans). */
export function packCells(cells: unknown[]): unknown[] {
  return Array.from(cells, (value) => (value instanceof Date ? { [DATE]: value.toISOString() } : value ?? null));
}

/** The cells packed by packCells, dates as dates again. */
export function unpackCells(cells: unknown[]): unknown[] {
  return cells.map((value: any) => (value && typeof value === 'object' && typeof value[DATE] === 'string' ? new Date(value[DATE]) : value));
}

/** A batch's frame: its length (4 bytes), the IV, the tag, then the ciphertext. */
const HEADER_BYTES = 4 + FILE_IV_BYTES + FILE_TAG_BYTES;

export class Spool<T> {
  private handle: fs.promises.FileHandle | null = null;

  constructor(readonly file: string) {}

  /** Appends one batch (one encrypted frame). */
  async write(batch: T[]): Promise<void> {
    if (!this.handle) this.handle = await fs.promises.open(this.file, 'w', 0o600);
    const { iv, cipher } = fileCipher();
    const data = Buffer.concat([cipher.update(JSON.stringify(batch), 'utf8'), cipher.final()]);
    const header = Buffer.alloc(HEADER_BYTES);
    header.writeUInt32BE(data.length, 0);
    iv.copy(header, 4);
    cipher.getAuthTag().copy(header, 4 + FILE_IV_BYTES);
    await this.handle.writev([header, data]);
  }

  /** The batches in the order written (the file closed for writing first), one read at a time. */
  async *batches(): AsyncGenerator<T[]> {
    if (this.handle) {
      await this.handle.close();
      this.handle = null;
    }
    if (!fs.existsSync(this.file)) return;
    // touched: the clean-up of DATA_DIR/imports removes scratch files untouched for 10 minutes
    const now = new Date();
    await fs.promises.utimes(this.file, now, now);
    const handle = await fs.promises.open(this.file, 'r');
    try {
      const header = Buffer.alloc(HEADER_BYTES);
      for (let position = 0; ;) {
        const { bytesRead } = await handle.read(header, 0, HEADER_BYTES, position);
        if (bytesRead === 0) return;
        if (bytesRead < HEADER_BYTES) throw new Error('import scratch file: a batch cut short');
        const length = header.readUInt32BE(0);
        const data = Buffer.allocUnsafe(length);
        const read = await handle.read(data, 0, length, position + HEADER_BYTES);
        if (read.bytesRead < length) throw new Error('import scratch file: a batch cut short');
        position += HEADER_BYTES + length;
        const decipher = fileDecipher(header.subarray(4, 4 + FILE_IV_BYTES), header.subarray(4 + FILE_IV_BYTES, HEADER_BYTES));
        yield JSON.parse(Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8')) as T[];
      }
    } finally {
      await handle.close();
    }
  }

  async remove(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    await fs.promises.rm(this.file, { force: true });
  }
}
