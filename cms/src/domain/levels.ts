import { readDomainConfig } from '../runtime/paths';

export type Level = { key: string; name: string; nameEn: string; regionDigits: number; byInstitution?: boolean };

let cached: Level[] | undefined;

/** The five levels, from config/levels.json, top first. */
export function levels(): Level[] {
  cached ??= readDomainConfig<{ levels: Level[] }>('levels.json').levels;
  return cached;
}

export function levelOf(key: string | null | undefined): Level | undefined {
  return levels().find((level) => level.key === key);
}

/** The level right below `key`, whose accounts `key` manages; undefined for the lowest. */
export function levelBelow(key: string | null | undefined): Level | undefined {
  const index = levels().findIndex((level) => level.key === key);
  return index >= 0 ? levels()[index + 1] : undefined;
}

/** The region level ("province" | "prefecture" | "county") whose codes an account of this level holds. */
export function regionLevelFor(level: Level): 'province' | 'prefecture' | 'county' | null {
  if (level.byInstitution) return null;
  return ({ 2: 'province', 4: 'prefecture', 6: 'county' } as const)[level.regionDigits] ?? null;
}
