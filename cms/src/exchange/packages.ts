import crypto, { type KeyObject } from 'node:crypto';

/**
 * The monthly statistics package (docs/two-level-deployment.md): a province's own figures of one
 * period, taken from its monthly snapshot (plugins/archive-snapshot), signed with the province's
 * Ed25519 key and verified by the nation against the public key it registered for that province.
 * Figures only — counts per county and the province's total — never a child.
 */
export type StatisticsPackage = {
  packageId: string;
  province: string;
  period: string;
  /** When the province's snapshot finished (ISO time). */
  snapshotAt: string;
  /** The province's total figures (config/indicators.json `figures`). */
  figures: Record<string, number>;
  counties: { code: string; figures: Record<string, number> }[];
};

/** JSON with keys sorted at every level: the exact bytes both sides sign and verify. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((key) => (value as any)[key] !== undefined).map((key) => `${JSON.stringify(key)}:${canonicalJson((value as any)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function signPackage(pkg: StatisticsPackage, key: KeyObject): string {
  return crypto.sign(null, Buffer.from(canonicalJson(pkg)), key).toString('base64');
}

export function verifyPackage(pkg: StatisticsPackage, signature: string, key: KeyObject): boolean {
  try {
    return crypto.verify(null, Buffer.from(canonicalJson(pkg)), key, Buffer.from(String(signature), 'base64'));
  } catch {
    return false;
  }
}

/** The package of a finished snapshot: the province's row and its counties' rows of the snapshot's summary. */
export function packageOfSnapshot(province: string, snapshot: { period: string; finishedAt?: string | Date | null; summary?: any }): StatisticsPackage {
  const summary = snapshot.summary ?? {};
  const prefix = province;
  const row = (summary.provinces ?? []).find((r: any) => String(r.code).startsWith(prefix));
  const numbers = (figures: Record<string, unknown> = {}) => Object.fromEntries(Object.entries(figures).map(([key, value]) => [key, Number(value) || 0]));
  return {
    packageId: crypto.randomUUID(),
    province,
    period: snapshot.period,
    snapshotAt: new Date(snapshot.finishedAt ?? Date.now()).toISOString(),
    figures: numbers(row?.figures ?? {}),
    counties: (summary.counties ?? []).filter((r: any) => String(r.code).startsWith(prefix)).map((r: any) => ({ code: String(r.code), figures: numbers(r.figures) })),
  };
}

/** When the nation expects a period's package: the period's last day, 00:00 in China, plus the grace days. */
export function packageDueAt(period: string, graceDays: number): Date {
  const [year, month] = period.split('-').map(Number);
  const lastDay = Date.UTC(year, month, 0) - 8 * 3600_000;
  return new Date(lastDay + graceDays * 86_400_000);
}
