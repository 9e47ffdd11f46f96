/**
 * Excel import of health checks (入园体检 / 定期体检) and vaccination certificate checks
 * (docs/health.md): one row a record, the child named by 学籍号 or by document type and number,
 * found only inside the caller's reach (a scoped read: another kindergarten's child "does not
 * exist"). Every row gets the API's checks before anything is written (health-rules.ts
 * healthProblems, the custom fields of 体检记录), then all rows are created in one transaction
 * through the document service, where the same rules middleware, the permission check
 * (cms/src/security/can.ts, the record's create action, for each row) and the audit run again;
 * any problem: 400 naming `rows.<n>.<field>`, nothing stored. The shared machinery (template,
 * reader, row problems, error report) is cms/src/domain/import/rows.ts.
 */
import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { readDomainConfig } from '../../runtime/paths';
import { fieldError, fieldsError } from '../../utils/validation';
import { assertAllowed } from '../../security/can';
import { studentNumberKey } from '../../security/student-numbers';
import { accessScope } from '../request-context';
import { activeDefinitions, customFieldsError, validateCustomFields } from '../custom-fields';
import { HEALTH_CHECK, VACCINATION_CHECK, healthConfig, healthProblems } from '../health-rules';
import { codeOf, customColumns, customInput, type Column, type ColumnKind } from './columns';
import { buildTemplate } from './template';
import { allOrNothing, checkRows, readImportFile, type CheckedRows } from './rows';
import type { SheetRow } from './workbook';

const CHILD = 'api::child.child';
export type HealthRecordKind = 'checks' | 'vaccinations';

type Kind = { uid: string; labels: string; sheet: string; title: string; fields: [string, ColumnKind, string?, boolean?][]; custom: boolean; sameDay: string[] };
/** Per record: its content type, the labels of config/labels.json, the data sheet, the fields after the child's (field, kind, code table, required). */
const KINDS: Record<HealthRecordKind, Kind> = {
  checks: {
    uid: HEALTH_CHECK, labels: 'child-health-check', sheet: '体检记录', title: '体检记录批量导入说明', custom: true, sameDay: ['checkType', 'checkDate'],
    fields: [['checkType', 'code', 'healthCheckType', true], ['checkDate', 'date', undefined, true], ['checkedBy', 'text'], ['heightCm', 'text'], ['weightKg', 'text'],
      ['visionLeft', 'text'], ['visionRight', 'text'], ['haemoglobin', 'text'], ['conclusion', 'text']],
  },
  vaccinations: {
    uid: VACCINATION_CHECK, labels: 'vaccination-check', sheet: '接种证查验', title: '预防接种证查验批量导入说明', custom: false, sameDay: ['checkDate'],
    fields: [['checkDate', 'date', undefined, true], ['status', 'code', 'vaccinationStatus', true], ['vaccinesToComplete', 'text'], ['completedOn', 'date'], ['note', 'text']],
  },
};
/** The child's columns: 学籍号, or document type and number; the name, when given, must be the child's. */
const CHILD_COLUMNS: Column[] = [
  { path: 'studentNumber', field: 'studentNumber', kind: 'text', header: '学籍号', required: false },
  { path: 'idType', field: 'idType', kind: 'code', table: 'idType', header: '证件类型', required: false },
  { path: 'idNumber', field: 'idNumber', kind: 'id', header: '证件号码', required: false },
  { path: 'name', field: 'name', kind: 'text', header: '幼儿姓名', required: false },
];
const RESIDENT_ID = '1';

export function healthKind(record: unknown): Kind {
  const kind = KINDS[record as HealthRecordKind];
  if (!kind || !Object.prototype.hasOwnProperty.call(KINDS, String(record))) throw new errors.NotFoundError('Not Found');
  return kind;
}

const maxRows = () => healthConfig().importMaxRows;

export function healthImport(strapi: Core.Strapi) {
  const identity = () => strapi.plugin('student-id').service('identity');
  const duplicates = () => strapi.plugin('dup-check').service('duplicates');

  /** The caller's kindergarten (only a kindergarten imports its records). */
  const ownKindergarten = (user: any) => {
    const scope = accessScope(strapi);
    const code = scope.institutionOf(scope.reachOf(user));
    if (!code || user?.level !== 'institution') throw new errors.ForbiddenError('卫生保健记录由幼儿园导入');
    return code as string;
  };

  /** The county of the caller's kindergarten (whose custom fields apply). */
  const countyOf = async (code: string): Promise<string | null> => ((await strapi.documents('api::kindergarten.kindergarten' as any).findFirst({ filters: { code }, fields: ['countyCode'] } as any)) as any)?.countyCode ?? null;

  async function columnsOf(kind: Kind, countyCode: string | null): Promise<Column[]> {
    const labels = readDomainConfig<Record<string, Record<string, string>>>('labels.json')[kind.labels] ?? {};
    const own: Column[] = kind.fields.map(([field, columnKind, table, required]) => ({ path: field, field, kind: columnKind, table, header: labels[field] ?? field, required: Boolean(required) }));
    const custom = kind.custom ? customColumns(await activeDefinitions(strapi, 'healthCheck', countyCode)) : [];
    return [...CHILD_COLUMNS, ...own, ...custom];
  }

  /** The child a row names, read through the access scope; 400 on the column at fault. */
  async function childOf(cells: Record<string, string>) {
    let found: any = null;
    let at = 'studentNumber';
    if (cells.studentNumber) {
      found = await strapi.db.query(CHILD).findOne({ where: { studentNumberKey: studentNumberKey(strapi, cells.studentNumber) }, select: ['documentId'] });
    } else if (cells.idNumber) {
      at = 'idNumber';
      const type = cells.idType ? codeOf('idType', cells.idType) : RESIDENT_ID;
      if (!type) throw fieldError('idType', `「${cells.idType}」不是证件类型代码表中的值`);
      const result = identity().validateDocument(type, identity().normalizeIdNumber(cells.idNumber));
      if (!result.ok) throw fieldError('idNumber', result.reason);
      found = await strapi.db.query(CHILD).findOne({ where: { idKey: duplicates().idKey(type, result.number) }, select: ['documentId'] });
    } else {
      throw fieldError('studentNumber', '请填写学籍号，或证件类型和证件号码');
    }
    // scoped: a child outside the caller's reach is "not found", like one that does not exist
    const child: any = found ? await strapi.documents(CHILD).findOne({ documentId: found.documentId, fields: ['name', 'sex', 'birthDate', 'institutionCode', 'countyCode'] as any }) : null;
    if (!child) throw fieldError(at, '未找到该幼儿（须为本园在园幼儿）');
    if (cells.name && cells.name !== child.name) throw fieldError('name', `与学籍姓名「${child.name}」不一致`);
    return child;
  }

  /** A row → the record's data, checked as the API checks it (throws a 400 naming the fields). */
  async function rowData(kind: Kind, row: SheetRow, columns: Column[], seen: Map<string, number>) {
    const child = await childOf(row.cells);
    const data: Record<string, any> = { child: child.documentId };
    for (const column of columns) {
      const value = row.cells[column.path];
      if (CHILD_COLUMNS.includes(column) || column.custom || value === undefined || value === '') continue;
      data[column.path] = column.kind === 'code' ? codeOf(column.table!, value) ?? value : value;
    }
    const problems = healthProblems(kind.uid, data, child);
    for (const column of columns) if (column.required && !column.custom && !data[column.path]) problems.push({ field: column.path, message: '必填' });
    if (problems.length) throw fieldsError(problems);
    if (kind.custom) {
      const custom = await validateCustomFields(strapi, 'healthCheck', child.countyCode, customInput(columns, row.cells), { enforceRequired: true });
      if (custom.problems.length) throw customFieldsError(custom.problems);
      if (Object.keys(custom.values).length) data.customFields = custom.values;
    }
    // one record of a child per day (and type): twice in the file, or already stored
    const key = [child.documentId, ...kind.sameDay.map((f) => data[f])].join('|');
    if (seen.has(key)) throw fieldError('checkDate', `与第 ${seen.get(key)} 行是同一幼儿同一天的记录`);
    seen.set(key, row.row);
    const where = Object.fromEntries(kind.sameDay.map((f) => [f, data[f]]));
    if (await strapi.db.query(kind.uid as any).findOne({ where: { ...where, child: { documentId: child.documentId } }, select: ['id'] })) throw fieldError('checkDate', '该幼儿这一天已有记录');
    return data;
  }

  async function checked(user: any, record: unknown, file: any): Promise<{ kind: Kind; result: CheckedRows<Record<string, any>> }> {
    const kind = healthKind(record);
    const code = ownKindergarten(user);
    await assertAllowed(strapi, user, `${kind.uid}.create`);
    const columns = await columnsOf(kind, await countyOf(code));
    const sheet = await readImportFile(file, columns, { maxRows: maxRows(), sheet: kind.sheet });
    const headers = new Map(columns.map((c) => [c.path, c.header]));
    const seen = new Map<string, number>();
    const result = await checkRows(sheet, (path) => headers.get(path), (row) => rowData(kind, row, columns, seen));
    return { kind, result };
  }

  return {
    /** GET /api/health-import/:record/template: the data sheet with drop-downs, the code tables, 说明. */
    async template(user: any, record: unknown): Promise<{ name: string; body: Buffer }> {
      const kind = healthKind(record);
      const code = ownKindergarten(user);
      const columns = await columnsOf(kind, await countyOf(code));
      const help = [
        kind.title, '',
        `1. 在“${kind.sheet}”表第 2 行起每行填写一条记录；列名不要修改，列的顺序可以调整，多余的列会被忽略。`,
        '2. 幼儿用学籍号，或证件类型和证件号码指明（证件类型不填为居民身份证），须为本园在园幼儿；填写幼儿姓名时须与学籍一致。',
        '3. 列名前带 * 的为必填项。代码项从下拉列表选择中文名称，也可以填写代码。日期可写作 2025-09-01、2025/9/1 或 20250901。',
        '4. 身高、体重等须在合理范围内；同一幼儿同一天（体检还按类型）只能有一条记录。月龄、BMI、Z 分和生长发育评价由系统计算。',
        `5. 文件中有任何错误时不导入任何一行：可下载错误报告，在“错误说明”列查看每行的问题，改正后上传。最多 ${maxRows()} 行。`,
      ];
      const body = await buildTemplate(columns, { rows: maxRows(), classes: [], sheet: kind.sheet, help });
      return { name: `${kind.sheet}导入模板.xlsx`, body };
    },

    /** POST /api/…/:record (all rows or none) and POST /api/…/:record/report (the error report). */
    ...allOrNothing(strapi, checked, async (user: any, kind: Kind, value: any) => {
      await assertAllowed(strapi, user, `${kind.uid}.create`);
      await strapi.documents(kind.uid as any).create({ data: value as any });
    }),
  };
}
