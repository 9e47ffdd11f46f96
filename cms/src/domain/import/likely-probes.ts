/**
 * What the likely-duplicate check of an import needs of each valid row (its row number, the child's
 * name, birth date and sex, its guardians' blind-index keys), held compactly for the whole file
 * while the rows are read (cms/src/api/child-import/services/child-import.ts run): no object per
 * row — names, birth dates and sexes (which repeat) kept once each and referred to by number, the
 * keys (SHA-256 in hex, dup-check's idKey) as their 32 bytes. Iterated (as often as needed) it
 * gives the probes of dup-check's likelyMatchesMany, one at a time, keyed by row number.
 */

/** A probe as dup-check's likelyMatchesMany takes it (plugins/dup-check/server/src/services/duplicates.ts BatchProbe). */
export type RowProbe = { key: number; name?: string; birthDate?: string; sex?: string; guardianKeys: string[] };

const HEX_KEY = /^[0-9a-f]{64}$/;
const KEY_BYTES = 32;

/** Distinct values, each kept once and referred to by its number (0: none). */
class Values {
  private readonly list: (string | undefined)[] = [undefined];
  private readonly numbers = new Map<string, number>();

  number(value: string | null | undefined): number {
    if (value === undefined || value === null) return 0;
    let number = this.numbers.get(value);
    if (number === undefined) {
      number = this.list.length;
      this.list.push(value);
      this.numbers.set(value, number);
    }
    return number;
  }

  value(number: number): string | undefined {
    return this.list[number];
  }
}

const grown = <T extends Int32Array | Uint8Array>(array: T, needed: number, make: (size: number) => T): T => {
  if (needed <= array.length) return array;
  const bigger = make(Math.max(needed, array.length * 2));
  bigger.set(array);
  return bigger;
};

export class LikelyProbes implements Iterable<RowProbe> {
  private count = 0;
  private rows = new Int32Array(1024);
  /** per probe: its name, birth date and sex (numbers of `values`) */
  private fields = new Int32Array(3 * 1024);
  /** per probe: where its keys start in `keys` (the next probe's start is where they end) */
  private keyStarts = new Int32Array(1025);
  private keys = new Uint8Array(2 * KEY_BYTES * 1024);
  private keyBytes = 0;
  private readonly values = new Values();
  /** keys of another form than hex SHA-256 (none from dup-check's idKey), by probe, as given */
  private readonly otherKeys = new Map<number, string[]>();

  get size(): number {
    return this.count;
  }

  add(row: number, name: string | null | undefined, birthDate: string | null | undefined, sex: string | null | undefined, guardianKeys: (string | null | undefined)[]): void {
    const at = this.count;
    this.rows = grown(this.rows, at + 1, (n) => new Int32Array(n));
    this.fields = grown(this.fields, 3 * (at + 1), (n) => new Int32Array(n));
    this.keyStarts = grown(this.keyStarts, at + 2, (n) => new Int32Array(n));
    this.rows[at] = row;
    this.fields[3 * at] = this.values.number(name);
    this.fields[3 * at + 1] = this.values.number(birthDate);
    this.fields[3 * at + 2] = this.values.number(sex);
    for (const key of guardianKeys) {
      if (!key) continue;
      if (HEX_KEY.test(key)) {
        this.keys = grown(this.keys, this.keyBytes + KEY_BYTES, (n) => new Uint8Array(n));
        this.keyBytes += Buffer.from(this.keys.buffer, this.keys.byteOffset + this.keyBytes, KEY_BYTES).write(key, 'hex');
      } else {
        const other = this.otherKeys.get(at);
        if (other) other.push(key);
        else this.otherKeys.set(at, [key]);
      }
    }
    this.keyStarts[at + 1] = this.keyBytes;
    this.count += 1;
  }

  /** The probe at `index` (0 ≤ index < size), as likelyMatchesMany takes it. */
  probe(index: number): RowProbe {
    const guardianKeys: string[] = [];
    const bytes = Buffer.from(this.keys.buffer, this.keys.byteOffset, this.keyBytes);
    for (let at = this.keyStarts[index]; at < this.keyStarts[index + 1]; at += KEY_BYTES) guardianKeys.push(bytes.toString('hex', at, at + KEY_BYTES));
    const other = this.otherKeys.get(index);
    if (other) guardianKeys.push(...other);
    return {
      key: this.rows[index],
      name: this.values.value(this.fields[3 * index]),
      birthDate: this.values.value(this.fields[3 * index + 1]),
      sex: this.values.value(this.fields[3 * index + 2]),
      guardianKeys,
    };
  }

  *[Symbol.iterator](): Iterator<RowProbe> {
    for (let index = 0; index < this.count; index += 1) yield this.probe(index);
  }
}
