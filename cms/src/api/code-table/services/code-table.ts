import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { codeTablesConfig, defaultDictionaries, dictionaries, maintainedTables } from '../../../domain/dictionaries';
import { CODE_TABLE_DEFINITION, CODE_VALUE, loadOverlay } from '../../../domain/config-overlay';
import { keyFromName } from '../../../domain/field-formats';
import { recordAudit } from '../../../security/audit';
import { checkedKey, conflictError, fieldError } from '../../../utils/validation';

type Actor = { id?: number; username?: string; level?: string; regionCode?: string | null };

const isUniqueViolation = (error: any) => ['23505', 'SQLITE_CONSTRAINT_UNIQUE'].includes(error?.code ?? error?.cause?.code);

/**
 * 代码表维护: the province adds a code, renames a label, retires and restores a code, and creates
 * tables of its own (name → key in pinyin; codes numbered 1, 2, 3… unless given; their order set).
 * Rules: only the tables of config/code-tables.json and the province's own; a code is never deleted and never changes
 * (only its label); a new code must not exist in the table, retired or not (409), nor repeat a
 * label (409: imports read labels as codes). Every change is one row of code-value, merged over
 * config/dictionaries.json at once in this instance (and within a second in others), and audited.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Every maintained table with its codes: label, state, and whether it differs from the default. */
  list() {
    const current = dictionaries();
    const shipped = defaultDictionaries();
    return Object.entries(maintainedTables()).map(([key, table]) => ({
      key,
      name: table.name,
      nameEn: table.nameEn,
      own: table.own,
      entries: (current[key] ?? []).map((item) => {
        const original = shipped[key]?.find((d) => d.code === item.code);
        return {
          code: item.code,
          name: item.name,
          retired: Boolean(item.retired),
          source: original ? 'default' : 'added',
          defaultName: original?.name ?? null,
          changed: !original || original.name !== item.name || Boolean(item.retired),
        };
      }),
    }));
  },

  table(key: unknown) {
    const tables = maintainedTables();
    if (typeof key !== 'string' || !Object.hasOwn(tables, checkedKey(key, 'table'))) throw fieldError('table', '不是可维护的代码表');
    return key;
  },

  checkName(table: string, name: unknown, exceptCode?: string): string {
    const text = typeof name === 'string' ? name.trim() : '';
    if (!text) throw fieldError('name', '名称必填');
    if (text.length > codeTablesConfig().nameMaxLength) throw fieldError('name', `名称不能超过 ${codeTablesConfig().nameMaxLength} 个字`);
    const clash = (dictionaries()[table] ?? []).find((item) => item.name === text && item.code !== exceptCode);
    if (clash) throw conflictError(`名称“${text}”已是代码 ${clash.code} 的名称`, ['name']);
    return text;
  },

  /** The next free code when none is given: 1 more than the largest numeric code, as wide as the widest ("07" → "08"). */
  nextCode(table: string): string {
    const numeric = (dictionaries()[table] ?? []).map((item) => item.code).filter((code) => /^\d+$/.test(code));
    const next = numeric.reduce((max, code) => Math.max(max, Number(code)), 0) + 1;
    const width = numeric.reduce((max, code) => Math.max(max, code.length), 1);
    return String(next).padStart(width, '0');
  },

  /** Creates a table of the province's own: `{ name, nameEn?, codes?: [{ name, code? }] }`; its key is made from the name. */
  async createTable(actor: Actor, input: { name?: unknown; nameEn?: unknown; codes?: unknown } = {}) {
    const name = typeof input.name === 'string' ? input.name.trim() : '';
    if (!name) throw fieldError('name', '代码表名称必填');
    if (name.length > codeTablesConfig().nameMaxLength) throw fieldError('name', `代码表名称不能超过 ${codeTablesConfig().nameMaxLength} 个字`);
    const tables = maintainedTables();
    const clash = Object.entries(tables).find(([, table]) => table.name === name);
    if (clash) throw conflictError(`已有名为“${name}”的代码表`, ['name']);
    const nameEn = typeof input.nameEn === 'string' && input.nameEn.trim() ? input.nameEn.trim().slice(0, 100) : null;
    const codes = input.codes === undefined ? [] : input.codes;
    if (!Array.isArray(codes) || codes.length > 200) throw fieldError('codes', '代码须为列表（最多 200 项）');
    const rows: { code: string; name: string }[] = [];
    codes.forEach((item: any, i: number) => {
      const label = typeof item?.name === 'string' ? item.name.trim() : '';
      if (!label) throw fieldError(`codes.${i}.name`, `第 ${i + 1} 项的名称必填`);
      if (label.length > codeTablesConfig().nameMaxLength) throw fieldError(`codes.${i}.name`, `第 ${i + 1} 项的名称不能超过 ${codeTablesConfig().nameMaxLength} 个字`);
      if (rows.some((row) => row.name === label)) throw conflictError(`名称“${label}”重复`, [`codes.${i}.name`]);
      const code = item?.code === undefined || item?.code === null || item?.code === '' ? String(rows.length + 1) : String(item.code).trim();
      if (!new RegExp(codeTablesConfig().codePattern).test(code)) throw fieldError(`codes.${i}.code`, `第 ${i + 1} 项的代码须为 1–20 位字母或数字`);
      if (rows.some((row) => row.code === code)) throw conflictError(`代码 ${code} 重复`, [`codes.${i}.code`]);
      rows.push({ code, name: label });
    });
    const tableKey = keyFromName(name, [...Object.keys(tables), ...Object.keys(defaultDictionaries())], 'table');
    try {
      await strapi.db.transaction(async () => {
        await strapi.db.query(CODE_TABLE_DEFINITION as any).create({ data: { tableKey, name, nameEn, regionCode: actor.regionCode ?? null, changedBy: actor.username ?? null } });
        for (const [i, row] of rows.entries()) {
          await strapi.db.query(CODE_VALUE as any).create({
            data: { tableKey, code: row.code, name: row.name, retired: false, added: true, sortOrder: i + 1, regionCode: actor.regionCode ?? null, changedBy: actor.username ?? null },
          });
        }
        await recordAudit(strapi, { action: 'code-table.create', targetType: CODE_TABLE_DEFINITION, targetId: tableKey, details: { table: tableKey, before: null, after: { name, codes: rows } } });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflictError(`已有名为“${name}”的代码表`, ['name']);
      throw error;
    }
    await loadOverlay(strapi);
    return this.list().find((t) => t.key === tableKey);
  },

  async add(actor: Actor, tableKey: unknown, input: { code?: unknown; name?: unknown } = {}) {
    const table = this.table(tableKey);
    const given = typeof input.code === 'string' ? input.code.trim() : input.code === undefined || input.code === null ? '' : String(input.code);
    const code = checkedKey(given || this.nextCode(table), 'code');
    if (!new RegExp(codeTablesConfig().codePattern).test(code)) throw fieldError('code', '代码须为 1–20 位字母或数字');
    const existing = (dictionaries()[table] ?? []).find((item) => item.code === code);
    if (existing) throw conflictError(`代码 ${code} 已存在（${existing.name}${existing.retired ? '，已停用' : ''}）：代码一经使用不能改作他用`, ['code']);
    const name = this.checkName(table, input.name);
    const sortOrder = (await strapi.db.query(CODE_VALUE as any).count({ where: { tableKey: table, added: true } })) + 1;
    // (in a table of the province's own, every code is "added": the new one comes last)
    try {
      await strapi.db.transaction(async () => {
        await strapi.db.query(CODE_VALUE as any).create({
          data: { tableKey: table, code, name, retired: false, added: true, sortOrder, regionCode: actor.regionCode ?? null, changedBy: actor.username ?? null },
        });
        await recordAudit(strapi, { action: 'code-table.add', targetType: CODE_VALUE, targetId: `${table}/${code}`, details: { table, code, before: null, after: { name, retired: false } } });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw conflictError(`代码 ${code} 已存在`, ['code']);
      throw error;
    }
    await loadOverlay(strapi);
    return this.list().find((t) => t.key === table)!.entries.find((item) => item.code === code);
  },

  /** Moves a code of a table of the province's own to position `order` (1 = first); the others follow. */
  async move(actor: Actor, table: string, code: string, order: unknown) {
    if (!maintainedTables()[table]?.own) throw fieldError('order', '只有本省自建的代码表可以调整顺序');
    const list = (dictionaries()[table] ?? []).map((item) => item.code);
    if (typeof order !== 'number' || !Number.isInteger(order) || order < 1 || order > list.length) throw fieldError('order', `顺序须为 1 到 ${list.length} 之间的整数`);
    const before = list.indexOf(code) + 1;
    const next = list.filter((item) => item !== code);
    next.splice(order - 1, 0, code);
    await strapi.db.transaction(async () => {
      for (const [i, item] of next.entries()) await strapi.db.query(CODE_VALUE as any).update({ where: { tableKey: table, code: item }, data: { sortOrder: i + 1 } });
      await recordAudit(strapi, { action: 'code-table.reorder', targetType: CODE_VALUE, targetId: `${table}/${code}`, details: { table, code, before: { order: before }, after: { order }, by: actor.username ?? null } });
    });
    await loadOverlay(strapi);
    return this.list().find((t) => t.key === table)!.entries.find((item) => item.code === code);
  },

  /** Renames a code's label and/or retires or restores it; the code itself never changes. */
  async change(actor: Actor, tableKey: unknown, code: string, input: { name?: unknown; retired?: unknown; code?: unknown; order?: unknown } = {}) {
    const table = this.table(tableKey);
    checkedKey(code, 'code');
    const current = (dictionaries()[table] ?? []).find((item) => item.code === code);
    if (!current) throw new errors.NotFoundError(`代码表中没有代码 ${code}`);
    if (input.code !== undefined && input.code !== code) throw fieldError('code', '代码一经使用不能更改，只能修改名称或停用');
    if (input.retired !== undefined && typeof input.retired !== 'boolean') throw fieldError('retired', '停用须为 true 或 false');
    if (input.order !== undefined) return this.move(actor, table, code, input.order);
    if (input.name === undefined && input.retired === undefined) throw fieldError('name', '请修改名称或停用状态');
    const name = input.name !== undefined ? this.checkName(table, input.name, code) : current.name;
    const retired = input.retired !== undefined ? (input.retired as boolean) : Boolean(current.retired);
    const before = { name: current.name, retired: Boolean(current.retired) };
    const after = { name, retired };
    if (before.name === after.name && before.retired === after.retired) return this.list().find((t) => t.key === table)!.entries.find((item) => item.code === code);
    await strapi.db.transaction(async () => {
      const row = await strapi.db.query(CODE_VALUE as any).findOne({ where: { tableKey: table, code } });
      const data = { name, retired, regionCode: actor.regionCode ?? null, changedBy: actor.username ?? null };
      if (row) await strapi.db.query(CODE_VALUE as any).update({ where: { id: row.id }, data });
      else await strapi.db.query(CODE_VALUE as any).create({ data: { tableKey: table, code, added: false, ...data } });
      const action = before.retired !== after.retired ? (retired ? 'code-table.retire' : 'code-table.restore') : 'code-table.rename';
      await recordAudit(strapi, { action, targetType: CODE_VALUE, targetId: `${table}/${code}`, details: { table, code, before, after } });
    });
    await loadOverlay(strapi);
    return this.list().find((t) => t.key === table)!.entries.find((item) => item.code === code);
  },
});
