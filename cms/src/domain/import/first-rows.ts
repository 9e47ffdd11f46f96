/**
 * The first row of an import's file with each document (its blind-index key, dup-check's idKey:
 * SHA-256 in hex), for the in-file duplicate check across the batches of a file
 * (children-import.ts markDuplicates), held compactly: each key as its 32 bytes beside its row
 * number, found through a table of numbers (open addressing) — no string or map entry per row.
 * A key of another form (none from idKey) is kept in a Map as given.
 */

const KEY_BYTES = 32;
const HEX_KEY = /^[0-9a-f]{64}$/;

export class FirstRows {
  private count = 0;
  private keys = new Uint8Array(KEY_BYTES * 1024);
  private rows = new Int32Array(1024);
  /** entry number + 1 by slot (0: empty); its size a power of two, at most half full */
  private slots = new Int32Array(2048);
  private readonly scratch = Buffer.alloc(KEY_BYTES);
  private readonly others = new Map<string, number>();

  get size(): number {
    return this.count + this.others.size;
  }

  get(key: string): number | undefined {
    if (!HEX_KEY.test(key)) return this.others.get(key);
    const entry = this.find(key);
    return entry < 0 ? undefined : this.rows[entry];
  }

  set(key: string, row: number): this {
    if (!HEX_KEY.test(key)) {
      this.others.set(key, row);
      return this;
    }
    const entry = this.find(key);
    if (entry >= 0) {
      this.rows[entry] = row;
      return this;
    }
    if (this.count + 1 > this.rows.length) {
      const keys = new Uint8Array(this.keys.length * 2);
      keys.set(this.keys);
      this.keys = keys;
      const rows = new Int32Array(this.rows.length * 2);
      rows.set(this.rows);
      this.rows = rows;
    }
    // the key is in scratch (find wrote it)
    this.keys.set(this.scratch, this.count * KEY_BYTES);
    this.rows[this.count] = row;
    this.count += 1;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(this.count - 1);
    return this;
  }

  clear(): void {
    this.count = 0;
    this.keys = new Uint8Array(KEY_BYTES * 1024);
    this.rows = new Int32Array(1024);
    this.slots = new Int32Array(2048);
    this.others.clear();
  }

  /** The entry holding `key` (hex; left in scratch as bytes), or -1. */
  private find(key: string): number {
    this.scratch.write(key, 'hex');
    const mask = this.slots.length - 1;
    for (let slot = this.scratch.readUInt32LE(0) & mask; ; slot = (slot + 1) & mask) {
      const held = this.slots[slot];
      if (held === 0) return -1;
      if (this.sameKey(held - 1)) return held - 1;
    }
  }

  private sameKey(entry: number): boolean {
    const at = entry * KEY_BYTES;
    for (let i = 0; i < KEY_BYTES; i += 1) if (this.keys[at + i] !== this.scratch[i]) return false;
    return true;
  }

  /** Puts an entry in the first free slot from its key's. */
  private place(entry: number): void {
    const mask = this.slots.length - 1;
    const at = entry * KEY_BYTES;
    const hash = (this.keys[at] | (this.keys[at + 1] << 8) | (this.keys[at + 2] << 16) | (this.keys[at + 3] << 24)) >>> 0;
    let slot = hash & mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
    this.slots[slot] = entry + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let entry = 0; entry < this.count; entry += 1) this.place(entry);
  }
}
