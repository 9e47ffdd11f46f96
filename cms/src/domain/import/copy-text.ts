/**
 * Rows in PostgreSQL's COPY text format (the bulk import's writes, children-import.ts postgresSink):
 * a tab between values, a line feed after each row, `\N` for null, backslash, tab, line feed and
 * carriage return escaped with a backslash, JSON values as their text, times in ISO 8601.
 *
 * Written value by value into one growing buffer: no string per line is made (an import of 100,000
 * children writes 700,000 lines; their strings were 590 MB of garbage to collect), each value one
 * UTF-8 write, the separators and NULLs bytes.
 */

const TAB = 9;
const LINE_FEED = 10;
const BACKSLASH = 92;
/** `\N`: NULL */
const NULL_MARK = [BACKSLASH, 78];
const SPECIAL = /[\\\t\n\r]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** A time as text, formatted once while the same time repeats (a chunk's rows share their creation time). */
let lastTime = NaN;
let lastTimeText = '';
function isoTime(value: Date): string {
  const time = value.getTime();
  if (time !== lastTime) {
    lastTimeText = value.toISOString();
    lastTime = time;
  }
  return lastTimeText;
}

class CopyBytes {
  private bytes = Buffer.allocUnsafe(1 << 16);
  private length = 0;

  /** Room for `more` bytes after what is written. */
  private room(more: number) {
    if (this.length + more <= this.bytes.length) return;
    const larger = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + more));
    this.bytes.copy(larger, 0, 0, this.length);
    this.bytes = larger;
  }

  private byte(code: number) {
    this.room(1);
    this.bytes[this.length] = code;
    this.length += 1;
  }

  /** A text value, escaped: one UTF-8 write into the buffer (Node's native encoder; a loop over its characters here took twice as long). */
  private text(text: string) {
    // at most 3 bytes of UTF-8 a UTF-16 unit; an escaped (ASCII) character takes 2
    this.room(text.length * 3);
    this.length += this.bytes.write(SPECIAL.test(text) ? text.replace(/[\\\t\n\r]/g, (c) => ESCAPES[c]) : text, this.length);
  }

  /** One value in COPY's text format. */
  value(value: unknown) {
    if (typeof value === 'string') this.text(value);
    else if (value === null || value === undefined) {
      this.byte(NULL_MARK[0]);
      this.byte(NULL_MARK[1]);
    } else if (typeof value === 'number') this.text(String(value));
    else if (typeof value === 'boolean') this.byte(value ? 116 : 102);
    else if (value instanceof Date) this.text(isoTime(value));
    else this.text(typeof value === 'object' ? JSON.stringify(value) : String(value));
  }

  separator() {
    this.byte(TAB);
  }

  endOfRow() {
    this.byte(LINE_FEED);
  }

  result(): Buffer {
    return this.bytes.subarray(0, this.length);
  }
}

/**
 * Rows in COPY's text format, with the column list: every field any row has that `columnOf` maps to
 * a column (NULL where a row has none), after the `ids` given (the id column, one per row).
 * `columnOf`: a model's attribute → its column (a model's rows, as the lifecycles leave them); none:
 * the rows' keys are their columns (link tables).
 */
export function copyData(rows: Record<string, unknown>[], columnOf?: Map<string, string>, ids?: number[]): { columns: string[]; bytes: Buffer } {
  const fieldSet = new Set<string>();
  for (const row of rows) for (const field in row) if (!columnOf || columnOf.has(field)) fieldSet.add(field);
  const fields = [...fieldSet];
  const columns = fields.map((field) => columnOf?.get(field) ?? field);
  if (ids) columns.unshift('id');
  const out = new CopyBytes();
  for (let r = 0; r < rows.length; r += 1) {
    const row = rows[r];
    if (ids) out.value(ids[r]);
    for (let i = 0; i < fields.length; i += 1) {
      if (i || ids) out.separator();
      out.value(row[fields[i]]);
    }
    out.endOfRow();
  }
  return { columns, bytes: out.result() };
}
