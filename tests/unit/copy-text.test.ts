/**
 * The bulk import's rows in PostgreSQL's COPY text format (cms/src/domain/import/copy-text.ts),
 * written value by value: the same bytes as the format's rules spelled out as strings, for values of
 * every kind — Chinese names, characters beyond the BMP, the four escaped characters anywhere in a
 * value (also after a non-ASCII one), nulls, numbers, booleans, times, JSON.
 */
import { copyData } from '../../cms/src/domain/import/copy-text';

/** The format's rules as strings (what PostgreSQL reads back). */
function expectedLine(values: unknown[]): string {
  const text = (value: unknown): string => {
    if (value === null || value === undefined) return '\\N';
    if (typeof value === 'boolean') return value ? 't' : 'f';
    const plain = typeof value === 'string' ? value : value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
    return plain.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  };
  return `${values.map(text).join('\t')}\n`;
}

const SAMPLES: unknown[] = [
  '', '张三', '欧阳·娜娜', 'Zhang San', '11010120200101001X', 'enc:v1:abc_DEF-123.xyz', 'a\\b', 'tab\there', 'line\nbreak', 'cr\rlf',
  '福建\t泉州\\鲤城\n', '𠀀𪚥 rare', 'ascii then 中文 then \\ and \t', '\\\\\t\t\n\r', 'é', '\u00a0', null, undefined, 0, 42, -7, 3.5, NaN,
  true, false, new Date('2024-09-01T08:30:00.000Z'), { className: '小一班', grade: null }, ['a\tb', 1],
];

test('each kind of value, alone and beside the others, as the format spells it', () => {
  const rows = SAMPLES.map((value) => ({ value }));
  const { columns, bytes } = copyData(rows);
  expect(columns).toEqual(['value']);
  expect(bytes.toString('utf8')).toBe(SAMPLES.map((value) => expectedLine([value])).join(''));
});

test('random rows with ids and a column map: every field any row has, NULL where a row has none, in UTF-8', () => {
  let seed = 7;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
  const fields = ['name', 'idNumber', 'address', 'onlyChild', 'enrolledOn', 'customFields', 'ignored'];
  const columnOf = new Map([['name', 'name'], ['idNumber', 'id_number'], ['address', 'address'], ['onlyChild', 'only_child'], ['enrolledOn', 'enrolled_on'], ['customFields', 'custom_fields']]);
  const rows = Array.from({ length: 3000 }, () => {
    const row: Record<string, unknown> = {};
    for (const field of fields) if (random() < 0.8) row[field] = pick(SAMPLES);
    return row;
  });
  const ids = rows.map((_, i) => 1_000_000 + i);
  const { columns, bytes } = copyData(rows, columnOf, ids);
  // in the order the rows first show them
  const used = [...new Set(rows.flatMap((row) => Object.keys(row)))].filter((field) => columnOf.has(field));
  expect(columns).toEqual(['id', ...used.map((field) => columnOf.get(field))]);
  const expected = rows.map((row, i) => expectedLine([ids[i], ...used.map((field) => row[field])])).join('');
  expect(bytes.equals(Buffer.from(expected, 'utf8'))).toBe(true);
});

test('a buffer grown many times over keeps every byte (long values, many rows)', () => {
  const long = `${'长'.repeat(40_000)}\t${'x'.repeat(70_000)}`;
  const rows = Array.from({ length: 50 }, (_, i) => ({ a: i % 2 ? long : `行${i}`, b: i }));
  const { bytes } = copyData(rows);
  expect(bytes.toString('utf8')).toBe(rows.map((row) => expectedLine([row.a, row.b])).join(''));
});
