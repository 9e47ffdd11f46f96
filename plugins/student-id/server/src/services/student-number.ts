import type { Core } from '@strapi/strapi';
import { gb11643CheckCharacter, maskStudentNumber, parseResidentId } from '../identity';

export type NumberRule = {
  /** Prefix of a formal number for a child with a valid resident ID: prefix + the 18-character ID. */
  withResidentId: string;
  /** Prefix of a formal number without one: prefix + region + birth date + sequence + check character. */
  withoutResidentId: string;
  /** Prefix of a temporary number: prefix + region + birth date + sequence. */
  temporary: string;
  formalSequenceDigits: number;
  temporarySequenceDigits: number;
};

const TABLE = 'student_number_sequences';

/**
 * 学籍号 generation, the one configurable place for the rule (config/student-id.json, passed as
 * this plugin's `rule`). One person, one number, for life: a number is issued once, from an
 * atomic per-prefix sequence, and never changes, even when the ID number is corrected later
 * (the caller stores it only where none is stored yet).
 */
const studentNumberService = ({ strapi }: { strapi: Core.Strapi }) => ({
  rule(): NumberRule {
    return strapi.plugin('student-id').config('rule') as NumberRule;
  },

  /** A 学籍号 as shown where ID numbers are masked: the G-type (this rule's `withResidentId`) masked like an ID number. */
  mask(number: unknown): string {
    return maskStudentNumber(number, this.rule().withResidentId);
  },

  table(): string {
    const schema = strapi.config.get('database.connection.connection.schema') as string | undefined;
    return strapi.db.dialect.client === 'postgres' && schema ? `"${schema.replace(/"/g, '')}".${TABLE}` : TABLE;
  },

  async ensureTable() {
    const schema = strapi.db.getSchemaConnection();
    if (!(await schema.hasTable(TABLE))) {
      await schema.createTable(TABLE, (table) => {
        table.string('prefix', 40).primary();
        table.integer('last').notNullable();
      });
    }
  },

  /** The next number of a sequence: one atomic upsert, safe under concurrency on SQLite and PostgreSQL. */
  async nextSequence(prefix: string): Promise<number> {
    const result: any = await strapi.db.connection.raw(
      `INSERT INTO ${this.table()} (prefix, last) VALUES (?, 1) ON CONFLICT (prefix) DO UPDATE SET last = ${this.table()}.last + 1 RETURNING last`,
      [prefix],
    );
    const rows = Array.isArray(result) ? result : result.rows;
    return Number(rows[0].last);
  },

  /** Issues a number for a child; `regionCode` is the kindergarten's county, `birthDate` YYYY-MM-DD. */
  async issue(child: { idType?: string | null; idNumber?: string | null; regionCode: string; birthDate: string; temporary?: boolean }): Promise<string> {
    const rule = this.rule();
    const birth = String(child.birthDate).replace(/-/g, '');
    if (!/^\d{6}$/.test(child.regionCode) || !/^\d{8}$/.test(birth)) throw new Error('student-id: region code and birth date are required');
    if (child.temporary) {
      const stem = `${child.regionCode}${birth}`;
      const sequence = await this.nextSequence(`${rule.temporary}${stem}`);
      if (sequence >= 10 ** rule.temporarySequenceDigits) throw new Error(`student-id: temporary sequence exhausted for ${stem}`);
      return `${rule.temporary}${stem}${String(sequence).padStart(rule.temporarySequenceDigits, '0')}`;
    }
    if (child.idType === '1' && child.idNumber && parseResidentId(child.idNumber).ok) return `${rule.withResidentId}${child.idNumber}`;
    const stem = `${child.regionCode}${birth}`;
    const sequence = await this.nextSequence(`${rule.withoutResidentId}${stem}`);
    if (sequence >= 10 ** rule.formalSequenceDigits) throw new Error(`student-id: sequence exhausted for ${stem}`);
    const body = `${stem}${String(sequence).padStart(rule.formalSequenceDigits, '0')}`;
    return `${rule.withoutResidentId}${body}${gb11643CheckCharacter(body)}`;
  },
});

export type StudentNumberService = ReturnType<typeof studentNumberService>;
export default studentNumberService;
