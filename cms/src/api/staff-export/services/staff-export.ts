/**
 * Export of the staff list (xlsx or csv; domain/export-stream.ts): the caller's reach, the list's
 * filters, every attribute headed by its label of config/labels.json, codes by their names, the
 * kindergarten's name, then the staff custom fields that concern the reach. ID numbers are
 * private: the column shows the masked number, the full one only to the levels that see it on the
 * record (the person's kindergarten and county, FULL_NUMBER_LEVELS of the staff service). Recorded
 * as kind 'staff'.
 */
import type { Core } from '@strapi/strapi';
import { CODED } from '../../../domain/staff-rules';
import { FULL_NUMBER_LEVELS } from '../../staff/services/staff';
import { attributeColumns, listExporter } from '../../../domain/export-stream';

const STAFF = 'api::staff.staff';
const KINDERGARTEN = 'api::kindergarten.kindergarten';
const TABLES = { ...Object.fromEntries(Object.entries(CODED).map(([field, [table]]) => [field, table])), sex: 'sex' };

/** The names of the page's kindergartens (those of staff in reach are in reach). */
async function kindergartenNames(strapi: Core.Strapi, page: any[]) {
  const codes = [...new Set(page.map((staff) => staff.institutionCode).filter(Boolean))];
  const rows = codes.length ? await strapi.db.query(KINDERGARTEN).findMany({ where: { code: { $in: codes } }, select: ['code', 'name'] }) : [];
  const names = new Map(rows.map((row: any) => [row.code, row.name]));
  for (const staff of page) staff.kindergartenName = names.get(staff.institutionCode) ?? '';
}

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** GET /api/staff-export?format=xlsx|csv&filters…: the caller's staff. */
  export: listExporter(strapi, {
    uid: STAFF, entity: 'staff', resource: 'staff-members', kind: 'staff', sheet: '教职工',
    columns: (app, custom) => [
      ...attributeColumns(app, STAFF, 'staff', {
        tables: TABLES,
        override: { idNumber: (staff, full) => (full ? staff.idNumber : staff.idNumberMasked) ?? '' },
      }),
      { header: '幼儿园名称', value: (staff) => staff.kindergartenName ?? '' },
      ...custom,
    ],
    fullNumbers: (user) => FULL_NUMBER_LEVELS.has(user?.level),
    preparePage: kindergartenNames,
  }),
});
