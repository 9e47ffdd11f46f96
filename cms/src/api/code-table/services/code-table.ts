import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { codeTablesConfig, defaultDictionaries, dictionaries } from '../../../domain/dictionaries';
import { CODE_VALUE, loadOverlay } from '../../../domain/config-overlay';
import { recordAudit } from '../../../security/audit';
import { checkedKey, conflictError, fieldError } from '../../../utils/validation';

type Actor = { id?: number; username?: string; level?: string; regionCode?: string | null };

const isUniqueViolation = (error: any) => ['23505', 'SQLITE_CONSTRAINT_UNIQUE'].includes(error?.code ?? error?.cause?.code);

/**
 * 代码表维护: the province adds a code, renames a label, retires and restores a code.
 * Rules: only the tables of config/code-tables.json; a code is never deleted and never changes
 * (only its label); a new code must not exist in the table, retired or not (409), nor repeat a
 * label (409: imports read labels as codes). Every change is one row of code-value, merged over
 * config/dictionaries.json at once in this instance (and within a second in others), and audited.
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Every maintained table with its codes: label, state, and whether it differs from the default. */
  list() {
    const config = codeTablesConfig();
    const current = dictionaries();
    const shipped = defaultDictionaries();
    return Object.entries(config.tables).map(([key, table]) => ({
      key,
      name: table.name,
      nameEn: table.nameEn,
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
    const tables = codeTablesConfig().tables;
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

  async add(actor: Actor, tableKey: unknown, input: { code?: unknown; name?: unknown } = {}) {
    const table = this.table(tableKey);
    const code = checkedKey(typeof input.code === 'string' ? input.code.trim() : '', 'code');
    if (!new RegExp(codeTablesConfig().codePattern).test(code)) throw fieldError('code', '代码须为 1–20 位字母或数字');
    const existing = (dictionaries()[table] ?? []).find((item) => item.code === code);
    if (existing) throw conflictError(`代码 ${code} 已存在（${existing.name}${existing.retired ? '，已停用' : ''}）：代码一经使用不能改作他用`, ['code']);
    const name = this.checkName(table, input.name);
    const sortOrder = (await strapi.db.query(CODE_VALUE as any).count({ where: { tableKey: table, added: true } })) + 1;
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

  /** Renames a code's label and/or retires or restores it; the code itself never changes. */
  async change(actor: Actor, tableKey: unknown, code: string, input: { name?: unknown; retired?: unknown; code?: unknown } = {}) {
    const table = this.table(tableKey);
    checkedKey(code, 'code');
    const current = (dictionaries()[table] ?? []).find((item) => item.code === code);
    if (!current) throw new errors.NotFoundError(`代码表中没有代码 ${code}`);
    if (input.code !== undefined && input.code !== code) throw fieldError('code', '代码一经使用不能更改，只能修改名称或停用');
    if (input.retired !== undefined && typeof input.retired !== 'boolean') throw fieldError('retired', '停用须为 true 或 false');
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
