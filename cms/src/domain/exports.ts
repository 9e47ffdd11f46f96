/**
 * Every export of personal data is recorded (docs/domain.md §8): who, at which level and reach, when,
 * what, with which filters, and how many rows left the system. One function, for every exporter.
 */
import type { Core } from '@strapi/strapi';
import { accessScope } from './request-context';

const EXPORT_RECORD = 'api::export-record.export-record';

export type ExportRecordInput = {
  user: { id?: number; username?: string; level?: string } | null | undefined;
  kind: string;
  format?: string;
  filters?: unknown;
  /** How many rows left the system (`rows` is accepted as its other name). */
  rowCount?: number;
  rows?: number;
  fullNumbers?: boolean;
  ip?: string;
};

/** The reach as a short text: `all`, `region:35`, `institution:3135050201`, `none`. */
function reachText(strapi: Core.Strapi, user: unknown): string {
  const scope = accessScope(strapi);
  return scope.keyOf(scope.reachOf(user as any));
}

/** Records one export; returns the record. */
export async function recordExport(strapi: Core.Strapi, input: ExportRecordInput) {
  return strapi.documents(EXPORT_RECORD as any).create({
    data: {
      kind: input.kind,
      format: input.format ?? null,
      filters: input.filters ?? null,
      rowCount: input.rowCount ?? input.rows ?? 0,
      userId: input.user?.id ?? null,
      username: input.user?.username ?? null,
      level: input.user?.level ?? null,
      reach: reachText(strapi, input.user),
      fullNumbers: Boolean(input.fullNumbers),
      ip: input.ip ?? null,
    },
  });
}
