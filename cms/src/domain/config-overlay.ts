import type { Core } from '@strapi/strapi';
import { onEveryWrite } from '../runtime/on-every-write';
import { clusterBus } from '../runtime/cluster-bus';

/**
 * Edits made in the panel to the domain configuration (code tables, calendar, security policy),
 * kept in memory so the synchronous readers (dictionaries(), calendar(), securityConfig()) stay
 * synchronous: loaded at bootstrap, reloaded at once by the instance that writes and, through
 * the cluster bus (cms/src/runtime/on-every-write.ts), by the other instances within a second.
 * Every instance also reloads every OVERLAY_REFRESH_MS (OVERLAY_SAFETY_REFRESH_MS while it hears the
 * bus: then the poll is only a safety net). `version` changes whenever the loaded edits change: the
 * readers rebuild their merged views then.
 */
export const CODE_VALUE = 'api::code-table.code-value';
/** The code tables a province created in the panel (their codes are CODE_VALUE rows). */
export const CODE_TABLE_DEFINITION = 'api::code-table.code-table-definition';
export const CALENDAR_SETTING = 'api::calendar-setting.calendar-setting';
/** The security administrator's edits of the security policy (cms/src/security/config.ts). */
export const SECURITY_POLICY = 'api::security-policy.security-policy';
export const OVERLAY_REFRESH_MS = 5_000;
export const OVERLAY_SAFETY_REFRESH_MS = 60_000;

export type CodeRow = { tableKey: string; code: string; name: string; retired: boolean; added: boolean; sortOrder: number | null };
export type TableRow = { tableKey: string; name: string; nameEn: string | null };
export type CalendarEdits = {
  windows?: Record<string, { from: string; to: string }>;
  monthlyUpdateDay?: number;
  overrides?: { workdays: string[]; holidays: string[] };
  lifecycleDeadlines?: { transferWorkingDays: number; accidentalLeaveWorkingDays: number };
  reviewDeadlines?: Record<string, number>;
};

let codeRows: CodeRow[] = [];
let tableRows: TableRow[] = [];
let calendarEdits: CalendarEdits | null = null;
let policyEdits: Record<string, unknown> | null = null;
let signature = '';
let version = 0;
let timer: NodeJS.Timeout | undefined;
let refreshing: Promise<void> | undefined;
let loadedAt = 0;

export const overlayVersion = () => version;
export const codeOverlay = () => codeRows;
export const tableOverlay = () => tableRows;
export const calendarOverlay = () => calendarEdits;
export const securityPolicyOverlay = () => policyEdits;

/** Reads the edits from the database (four small queries). */
export async function loadOverlay(strapi: Core.Strapi): Promise<void> {
  const rows = await strapi.db.query(CODE_VALUE as any).findMany({ orderBy: [{ sortOrder: 'asc' }, { id: 'asc' }] });
  const setting = await strapi.db.query(CALENDAR_SETTING as any).findOne({ where: { scope: 'deployment' } });
  const nextRows: CodeRow[] = rows.map((row: any) => ({
    tableKey: row.tableKey, code: row.code, name: row.name, retired: Boolean(row.retired), added: Boolean(row.added), sortOrder: row.sortOrder ?? null,
  }));
  const tables = await strapi.db.query(CODE_TABLE_DEFINITION as any).findMany({ orderBy: [{ id: 'asc' }] });
  const nextTables: TableRow[] = tables.map((row: any) => ({ tableKey: row.tableKey, name: row.name, nameEn: row.nameEn ?? null }));
  const nextCalendar = (setting?.settings as CalendarEdits | undefined) ?? null;
  const policy = await strapi.db.query(SECURITY_POLICY as any).findOne({ where: { scope: 'deployment' } });
  const nextPolicy = (policy?.settings as Record<string, unknown> | undefined) ?? null;
  const nextSignature = JSON.stringify([nextRows, nextTables, nextCalendar, nextPolicy]);
  loadedAt = Date.now();
  if (nextSignature === signature) return;
  codeRows = nextRows;
  tableRows = nextTables;
  calendarEdits = nextCalendar;
  policyEdits = nextPolicy;
  signature = nextSignature;
  version += 1;
}

/** Loads the edits now and keeps them fresh; stopped by stopOverlay (Strapi's destroy). */
export async function startOverlay(strapi: Core.Strapi): Promise<void> {
  await loadOverlay(strapi);
  stopOverlay();
  timer = setInterval(() => {
    const every = clusterBus(strapi).listening ? OVERLAY_SAFETY_REFRESH_MS : OVERLAY_REFRESH_MS;
    if (Date.now() - loadedAt >= every - 100) refreshOverlay(strapi);
  }, OVERLAY_REFRESH_MS);
  timer.unref();
}

/** Reloads the edits unless a reload is under way (then one more follows it). */
function refreshOverlay(strapi: Core.Strapi): void {
  if (refreshing) {
    again = true;
    return;
  }
  refreshing = loadOverlay(strapi)
    .catch((error) => { strapi.log.debug(`config overlay refresh: ${error?.message ?? error}`); })
    .finally(() => {
      refreshing = undefined;
      if (again) {
        again = false;
        refreshOverlay(strapi);
      }
    });
}
let again = false;

/** An edit written here (once committed) or in another instance reloads the edits. */
export function subscribeOverlayRefresh(strapi: Core.Strapi): void {
  onEveryWrite(strapi, [CODE_VALUE, CALENDAR_SETTING, SECURITY_POLICY], () => {
    if (!strapi.db.inTransaction()) refreshOverlay(strapi);
  });
}

/** Stops the refresh and waits for one under way (before the database closes). */
export async function stopOverlay(): Promise<void> {
  if (timer) clearInterval(timer);
  timer = undefined;
  again = false;
  await refreshing;
}
