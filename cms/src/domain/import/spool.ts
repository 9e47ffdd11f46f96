/**
 * A large import's scratch file: the rows of the workbook, checked, a batch per line, so that the
 * import holds one batch at a time (the children's import writes them, then reads them back to
 * insert and again to write its report, cms/src/api/child-import/services/child-import.ts). Each
 * line is encrypted with the PII key (cms/src/security/pii.ts) and the file is readable by the
 * server's user only: it holds ID numbers. The batches are JSON (the uploaded cells through packCells,
 * so that dates come back as dates). A file left by a
 * crash is removed with the other scratch files of DATA_DIR/imports (expireReports).
 */
import fs from 'node:fs';
import { decryptValue, encryptValue } from '../../security/pii';

const DATE = '$date';

/** A row's cells as uploaded, ready for JSON: a date cell as `{ $date: ISO }` (the rest is text, numbers, booleans). */
export function packCells(cells: unknown[]): unknown[] {
  return Array.from(cells, (value) => (value instanceof Date ? { [DATE]: value.toISOString() } : value ?? null));
}

/** The cells packed by packCells, dates as dates again. */
export function unpackCells(cells: unknown[]): unknown[] {
  return cells.map((value: any) => (value && typeof value === 'object' && typeof value[DATE] === 'string' ? new Date(value[DATE]) : value));
}

export class Spool<T> {
  private handle: fs.promises.FileHandle | null = null;

  constructor(readonly file: string) {}

  /** Appends one batch (one encrypted line). */
  async write(batch: T[]): Promise<void> {
    if (!this.handle) this.handle = await fs.promises.open(this.file, 'w', 0o600);
    await this.handle.write(`${encryptValue(JSON.stringify(batch))}\n`);
  }

  /** The batches in the order written (the file closed for writing first). */
  async *batches(): AsyncGenerator<T[]> {
    if (this.handle) {
      await this.handle.close();
      this.handle = null;
    }
    if (!fs.existsSync(this.file)) return;
    // touched: the clean-up of DATA_DIR/imports removes scratch files untouched for 10 minutes
    const now = new Date();
    await fs.promises.utimes(this.file, now, now);
    // the stream's own async iteration, which reads on only as the lines are taken (readline's
    // iterator reads ahead without bound: the whole file would be in memory before the insert ends)
    let rest = '';
    for await (const chunk of fs.createReadStream(this.file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) yield JSON.parse(decryptValue(line)) as T[];
    }
    if (rest) yield JSON.parse(decryptValue(rest)) as T[];
  }

  async remove(): Promise<void> {
    await this.handle?.close().catch(() => undefined);
    this.handle = null;
    await fs.promises.rm(this.file, { force: true });
  }
}
