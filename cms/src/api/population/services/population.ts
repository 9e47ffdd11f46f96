import { factories } from '@strapi/strapi';
import type { Core } from '@strapi/strapi';
import { excel } from '../../../runtime/excel';
import { conflictError, fieldError, fieldsError } from '../../../utils/validation';
import { localDate } from '../../../domain/working-days';

const POPULATION = 'api::population.population';
const FIELDS = ['countyCode', 'year', 'population', 'source'] as const;
const MAX_ROWS = 20000;

type Entry = { countyCode: string; year: number; population: number; source?: string | null };

/** The column of an import file for each field: its Chinese heading or the field name. */
const HEADINGS: Record<string, RegExp> = {
  countyCode: /^(区县代码|区县行政区划代码|行政区划代码|countyCode)$/i,
  year: /^(年份|年度|year)$/i,
  population: /(3.?5\s*岁|适龄)?人口|^population$/i,
  source: /^(来源|数据来源|source)$/i,
};

/**
 * Population aged 3–5 per county and year (毛入园率's denominator). Rules on every write: the
 * county is a county of the region tree (the access scope keeps it inside the user's reach), the
 * year is plausible, (county, year) is unique — checked here, guarded under concurrency by the
 * unique index `populations__county_code_year__unique`.
 */
const populationService = ({ strapi }: { strapi: Core.Strapi }) => ({
  /** Checks and picks the fields of an entry; `partial` for updates. */
  async check(data: any, partial = false, exceptDocumentId?: string, replacing = false): Promise<Partial<Entry>> {
    const picked: any = {};
    for (const key of FIELDS) if (data?.[key] !== undefined) picked[key] = data[key];
    const problems: { field: string; message: string }[] = [];
    const thisYear = Number(localDate().slice(0, 4));
    if (picked.countyCode !== undefined || !partial) {
      const code = String(picked.countyCode ?? '');
      const region = /^\d{6}$/.test(code) ? await strapi.db.query('api::region.region').findOne({ where: { code }, select: ['level'] }) : null;
      if (!region || region.level !== 'county') problems.push({ field: 'countyCode', message: `“${code}”不是区县行政区划代码` });
      picked.countyCode = code;
    }
    if (picked.year !== undefined || !partial) {
      const year = Number(picked.year);
      if (!Number.isInteger(year) || year < 2000 || year > thisYear + 1) problems.push({ field: 'year', message: `年份须为 2000–${thisYear + 1} 之间的整数` });
      picked.year = year;
    }
    if (picked.population !== undefined || !partial) {
      const population = Number(picked.population);
      if (!Number.isInteger(population) || population < 0 || population > 10_000_000) problems.push({ field: 'population', message: '人口数须为 0–10,000,000 之间的整数' });
      picked.population = population;
    }
    if (problems.length) throw fieldsError(problems);
    if (!replacing && picked.countyCode !== undefined && picked.year !== undefined) {
      const existing = await strapi.db.query(POPULATION).findOne({ where: { countyCode: picked.countyCode, year: picked.year }, select: ['documentId'] });
      if (existing && existing.documentId !== exceptDocumentId) throw conflictError(`${picked.countyCode} 的 ${picked.year} 年人口数已录入，请修改原记录`, ['year']);
    }
    return picked;
  },

  /** Reads an xlsx or csv upload: a heading row (区县代码, 年份, 人口数), then one row per county and year. */
  async readFile(file: any): Promise<Entry[]> {
    if (!file) throw fieldError('file', '请选择要导入的 xlsx 或 csv 文件');
    const name = String(file.originalFilename ?? file.name ?? '');
    const workbook = new (excel().Workbook)();
    const path = file.filepath ?? file.path;
    try {
      if (/\.csv$/i.test(name) || /csv/.test(String(file.mimetype ?? file.type ?? ''))) await workbook.csv.readFile(path);
      else await workbook.xlsx.readFile(path);
    } catch {
      throw fieldError('file', '无法读取文件：请上传 xlsx 或 csv 格式');
    }
    const sheet = workbook.worksheets[0];
    if (!sheet) throw fieldError('file', '文件中没有工作表');
    const text = (value: any) => String(value?.result ?? value?.text ?? value ?? '').trim();
    const columns: Record<string, number> = {};
    sheet.getRow(1).eachCell((cell, column) => {
      for (const [field, pattern] of Object.entries(HEADINGS)) if (!columns[field] && pattern.test(text(cell.value))) columns[field] = column;
    });
    const missing = ['countyCode', 'year', 'population'].filter((field) => !columns[field]);
    if (missing.length) throw fieldError('file', `第 1 行须有列：区县代码、年份、人口数（缺：${missing.map((f) => ({ countyCode: '区县代码', year: '年份', population: '人口数' })[f]).join('、')}）`);
    const entries: Entry[] = [];
    for (let r = 2; r <= sheet.rowCount; r += 1) {
      const row = sheet.getRow(r);
      const values = Object.fromEntries(Object.entries(columns).map(([field, column]) => [field, text(row.getCell(column).value)]));
      if (!values.countyCode && !values.year && !values.population) continue;
      entries.push({ countyCode: values.countyCode, year: values.year as any, population: values.population.replace(/[,，\s]/g, '') as any, source: values.source || null, row: r } as any);
    }
    if (entries.length === 0) throw fieldError('file', '文件中没有数据行');
    if (entries.length > MAX_ROWS) throw fieldError('file', `一次最多导入 ${MAX_ROWS} 行`);
    return entries;
  },

  /**
   * Bulk import (province, prefecture): every row checked first — a county outside the caller's
   * reach, a bad year or number is a 400 naming the row, and nothing is written; then, in one
   * transaction, each (county, year) is created or its figure replaced.
   */
  async importFile(user: any, file: any) {
    const entries = await this.readFile(file);
    const reach = strapi.plugin('access-scope').service('scope').reachOf(user);
    const seen = new Set<string>();
    const problems: { field: string; message: string }[] = [];
    const checked: (Entry & { row: number })[] = [];
    for (const entry of entries as (Entry & { row: number })[]) {
      try {
        const picked = await this.check({ countyCode: entry.countyCode, year: entry.year, population: entry.population, source: entry.source }, false, undefined, true);
        if (!strapi.plugin('access-scope').service('scope').includesCounty(reach, picked.countyCode)) throw fieldError('countyCode', `区县 ${picked.countyCode} 超出管辖范围`);
        const key = `${picked.countyCode}/${picked.year}`;
        if (seen.has(key)) throw fieldError('countyCode', `${picked.countyCode} 的 ${picked.year} 年在文件中重复`);
        seen.add(key);
        checked.push({ ...(picked as Entry), row: entry.row });
      } catch (error: any) {
        const details = error?.details?.errors ?? [{ message: error.message }];
        for (const detail of details) problems.push({ field: 'file', message: `第 ${entry.row} 行：${detail.message}` });
      }
      if (problems.length >= 20) break;
    }
    if (problems.length) throw fieldsError(problems);
    let created = 0;
    let updated = 0;
    await strapi.db.transaction(async () => {
      for (const entry of checked) {
        const data = { countyCode: entry.countyCode, year: entry.year, population: entry.population, source: entry.source ?? '批量导入' };
        const existing = await strapi.db.query(POPULATION).findOne({ where: { countyCode: entry.countyCode, year: entry.year }, select: ['documentId'] });
        if (existing) {
          await strapi.documents(POPULATION).update({ documentId: existing.documentId, data } as any);
          updated += 1;
        } else {
          await strapi.documents(POPULATION).create({ data } as any);
          created += 1;
        }
      }
    });
    return { rows: checked.length, created, updated };
  },
});

export type PopulationService = ReturnType<typeof populationService>;

export default factories.createCoreService(POPULATION, ({ strapi }) => {
  const rules = populationService({ strapi });
  return {
    ...rules,
    async create(params: any = {}) {
      const data = await rules.check(params.data ?? {});
      return super.create({ ...params, data });
    },
    async update(documentId: string, params: any = {}) {
      const current = await strapi.db.query(POPULATION).findOne({ where: { documentId }, select: ['countyCode', 'year'] });
      const data = await rules.check({ ...(current ?? {}), ...(params.data ?? {}) }, !current, documentId);
      return super.update(documentId, { ...params, data });
    },
  };
});
