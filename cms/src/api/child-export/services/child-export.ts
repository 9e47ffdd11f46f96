/**
 * Exports of children's records (xlsx or csv), streamed page by page so that a province's
 * millions never sit in memory (domain/export-stream.ts): the rows come from the document
 * service, so the caller's reach applies (access-scope), with the list's filters; ID numbers are
 * masked except for the child's kindergarten and county (the rule of the child service), and
 * every export is recorded.
 */
import type { Core } from '@strapi/strapi';
import { fieldError } from '../../../utils/validation';
import { columns, type Column } from '../../../domain/import/columns';
import { FULL_NUMBER_LEVELS } from '../../child/services/child';
import { stateName } from '../../../domain/dictionaries';
import { regionNameNow } from '../../../domain/region-names';
import { codeName, dayText, listExporter, streamExport, yesNo, type OutColumn } from '../../../domain/export-stream';

const CHILD = 'api::child.child';
const POPULATE = { schoolClass: { fields: ['name', 'schoolYear'] }, guardians: true };
const fullNumbers = (user: any) => FULL_NUMBER_LEVELS.has(user?.level);

/** A template column as an export column: codes as their Chinese names, numbers masked unless `full`. */
function fromTemplate(column: Column): OutColumn {
  const read = (child: any) => (column.guardian ? child.guardians?.[column.guardian - 1]?.[column.field] : child[column.field]);
  return {
    header: column.header,
    date: column.kind === 'date',
    value: (child, full) => {
      if (column.kind === 'class') return child.schoolClass?.name ?? '';
      if (column.kind === 'id') {
        const owner = column.guardian ? child.guardians?.[column.guardian - 1] : child;
        return (full ? owner?.idNumber : owner?.idNumberMasked) ?? '';
      }
      const value = read(child);
      if (column.kind === 'code') return codeName(column.table, value);
      if (column.kind === 'boolean') return yesNo(value);
      if (column.kind === 'date') return dayText(value);
      return value ?? '';
    },
  };
}

const GRADUATE_FIELDS = ['name', 'sex', 'birthDate', 'ethnicity', 'nationality', 'idType', 'idNumber', 'overseasChinese', 'householdRegion', 'householdType', 'address', 'phone'];

const service = ({ strapi }: { strapi: Core.Strapi }) => {
  // the 学籍号 as the ID numbers: full for the child's kindergarten and county, else its masked form
  const studentNumber: OutColumn = { header: '学籍号', value: (child, full) => (full ? child.studentNumber : child.studentNumberMasked) ?? '' };

  /** The template's columns, the custom fields of the children that concern the caller's reach, then the record's own. */
  const listColumns = (custom: OutColumn[]): OutColumn[] => [
    ...columns(strapi).map(fromTemplate),
    ...custom,
    studentNumber,
    { header: '学籍状态', value: (child) => stateName('children.status', child.status) },
    { header: '机构标识码', value: (child) => child.institutionCode ?? '' },
    { header: '所属区县代码', value: (child) => child.countyCode ?? '' },
    // places by name beside the codes above (cms/src/domain/region-names.ts)
    { header: '出生地名称', value: (child) => regionNameNow(strapi, child.birthPlace) },
    { header: '户口所在地名称', value: (child) => regionNameNow(strapi, child.householdRegion) },
    { header: '所属区县名称', value: (child) => regionNameNow(strapi, child.countyCode) },
  ];

  /** What the primary-school 学籍 system needs of a graduate, with the 学籍号. */
  const graduateColumns = (): OutColumn[] => {
    const byPath = new Map(columns(strapi).map((c) => [c.path, c]));
    return [
      studentNumber,
      ...GRADUATE_FIELDS.map((field) => fromTemplate(byPath.get(field)!)),
      ...['name', 'relation', 'idType', 'idNumber', 'phone'].flatMap((field) => [1, 2].map((n) => byPath.get(`guardians.${n - 1}.${field}`)!)).map(fromTemplate),
      { header: '毕业幼儿园机构标识码', value: (child) => child.institutionCode ?? '' },
      { header: '毕业班级', value: (child) => child.schoolClass?.name ?? '' },
      { header: '学年', value: (child) => child.schoolClass?.schoolYear ?? '' },
    ];
  };

  return {
    /** GET /api/child-export?format=xlsx|csv&filters…: the caller's children. */
    children: listExporter(strapi, {
      uid: CHILD, entity: 'child', resource: 'children', kind: 'children', sheet: '幼儿信息',
      columns: (_strapi, custom) => listColumns(custom), fullNumbers, populate: POPULATE,
    }),

    /** GET /api/child-export/graduates?schoolYear=2025-2026: graduates for the primary-school 学籍 system. */
    async graduates(user: any, query: Record<string, any>, ip?: string) {
      const schoolYear = String(query.schoolYear ?? '');
      if (!/^\d{4}-\d{4}$/.test(schoolYear) || Number(schoolYear.slice(5)) !== Number(schoolYear.slice(0, 4)) + 1) {
        throw fieldError('schoolYear', '学年须写作 2025-2026');
      }
      const format = String(query.format ?? 'xlsx');
      const filters = { status: { $eq: 'graduated' }, schoolClass: { schoolYear: { $eq: schoolYear } } };
      const body = await streamExport(strapi, user, { uid: CHILD, kind: 'graduates', sheet: '毕业生', format, filters, columns: graduateColumns(), populate: POPULATE, fullNumbers: fullNumbers(user), ip });
      return { format, body };
    },
  };
};

export type ChildExportService = ReturnType<typeof service>;
export default service;
