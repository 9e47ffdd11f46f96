import { readDomainConfig } from '../runtime/paths';

export type Entry = { code: string; name: string; [extra: string]: unknown };
type Dictionaries = Record<string, Entry[]>;

let cached: Dictionaries | undefined;

/** The code tables of config/dictionaries.json. */
export function dictionaries(): Dictionaries {
  if (!cached) {
    const { $comment, ...tables } = readDomainConfig<Record<string, unknown>>('dictionaries.json');
    cached = tables as Dictionaries;
  }
  return cached;
}

export function entry(table: string, code: unknown): Entry | undefined {
  return dictionaries()[table]?.find((item) => item.code === code);
}
