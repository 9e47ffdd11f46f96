import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import crypto from 'node:crypto';
import cron from 'node-cron';
import type { Reach, ScopeService } from 'access-scope';
import { isValidPeriod, lastDayOfMonth, latestDuePeriod, localParts, periodOf } from './calendar';

const SNAPSHOT = 'plugin::archive-snapshot.snapshot';
const STALE_RUN_MS = 30 * 60 * 1000;

type Row = { code: string; name: string; figures: Record<string, number>; indicators: Record<string, number | null> };
type Summary = { counties: Row[]; prefectures: Row[]; provinces: Row[]; nation: Row };

function documentId(): string {
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  const alphabet = `${letters}0123456789`;
  return Array.from(crypto.randomBytes(24), (b, i) => (i === 0 ? letters[b % 26] : alphabet[b % alphabet.length])).join('');
}


const scope = (strapi: Core.Strapi) => strapi.plugin('access-scope').service('scope') as ScopeService;

function validationError(field: string, message: string) {
  return new errors.ValidationError(message, { errors: [{ path: [field], message, name: 'ValidationError' }] });
}

/**
 * Monthly archive snapshots (每月末自动保存). Exactly once per period, even with several app
 * instances: a run first claims its period by inserting the period's row — the unique index on
 * `period` lets one insert win — and only the winner computes; a claim left by a crashed instance is
 * taken over after 30 minutes. A saved snapshot is never changed (the document-service guard refuses
 * every write; this service writes through the query engine only while filling its own claim).
 */
const snapshotsService = ({ strapi }: { strapi: Core.Strapi }) => {
  let task: { stop: () => void } | null = null;
  const config = (key: string) => strapi.plugin('archive-snapshot').config(key) as any;

  return {
    timeZone(): string {
      return config('timeZone') || 'Asia/Shanghai';
    },

    /** The summary to save, from the service named in config (the app's statistics). */
    async summary(): Promise<Summary> {
      return strapi.service(config('summaryService')).snapshotSummary();
    },

    /** The project data to save for `period`, from the service named in config (the app's projects). */
    async projects(period: string): Promise<unknown> {
      return strapi.service(config('projectsService')).snapshotProjects(period);
    },

    /** The part of saved project data inside a region prefix (the projects service decides, as for live projects). */
    projectsPart(saved: unknown, prefix: string) {
      return strapi.service(config('projectsService')).snapshotPart(saved, prefix);
    },

    async claim(period: string, trigger: string): Promise<boolean> {
      const now = new Date();
      try {
        await strapi.db.query(SNAPSHOT).create({ data: { documentId: documentId(), period, state: 'running', startedAt: now, trigger, publishedAt: now } });
        return true;
      } catch (error: any) {
        const existing = await strapi.db.query(SNAPSHOT).findOne({ where: { period } });
        if (!existing) throw error;
        if (existing.state === 'done') return false;
        const { count } = await strapi.db.query(SNAPSHOT).updateMany({
          where: { period, state: 'running', startedAt: { $lt: new Date(now.getTime() - STALE_RUN_MS) } },
          data: { startedAt: now, trigger: `${trigger} (takeover)` },
        });
        return count === 1;
      }
    },

    /** Saves the snapshot of `period` unless it exists; doing it again changes nothing. */
    async run(period: string, trigger = 'manual') {
      if (!isValidPeriod(period)) throw validationError('period', '期间格式须为 YYYY-MM');
      if (period > latestDuePeriod(new Date(), this.timeZone())) throw validationError('period', '该月尚未到存档时间（每月最后一天 0 时）');
      if (await this.claim(period, trigger)) {
        try {
          const summary = await this.summary();
          const projects = await this.projects(period);
          // one transaction with what the completion's subscribers write (a two-level deployment's
          // statistics package into its outbox, cms/src/exchange/province.ts): both or neither
          await strapi.db.transaction(() => strapi.db.query(SNAPSHOT).update({ where: { period }, data: { state: 'done', finishedAt: new Date(), summary, projects } }));
        } catch (error) {
          await strapi.db.query(SNAPSHOT).delete({ where: { period, state: 'running' } });
          throw error;
        }
      }
      return strapi.db.query(SNAPSHOT).findOne({ where: { period } });
    },

    /** On start (and at each tick of a scheduler): the latest due period, if it was not saved when it fell due. */
    async catchUp(trigger = 'catch-up') {
      const period = latestDuePeriod(new Date(), this.timeZone());
      const existing = await strapi.db.query(SNAPSHOT).findOne({ where: { period }, select: ['state'] });
      if (!existing) return this.run(period, trigger);
      return existing.state === 'done' ? strapi.db.query(SNAPSHOT).findOne({ where: { period } }) : null;
    },

    /** 00:00 on days 28–31 in the configured zone; the run goes ahead only on the month's last day. */
    schedule() {
      if (!config('schedule')) return;
      task = cron.schedule('0 0 28-31 * *', async () => {
        const { year, month, day } = localParts(new Date(), this.timeZone());
        if (day !== lastDayOfMonth(year, month)) return;
        const period = periodOf(year, month);
        await this.run(period, 'schedule').catch((error) => strapi.log.error(`archive-snapshot ${period}: ${error.message}`));
      }, { timezone: this.timeZone() });
    },

    stop() {
      task?.stop();
      task = null;
    },

    /** The periods saved, newest first. */
    async list() {
      const rows = await strapi.db.query(SNAPSHOT).findMany({ select: ['period', 'state', 'finishedAt', 'trigger'], orderBy: { period: 'desc' } });
      return rows.map(({ period, state, finishedAt, trigger }) => ({ id: period, period, state, finishedAt, trigger }));
    },

    /**
     * A snapshot's rows inside the reach: the counties, and the wider areas only where the reach
     * covers them; the projects whose region is inside the reach, with their roll-ups.
     */
    async read(period: string, reach: Reach) {
      if (!isValidPeriod(period)) throw validationError('period', '期间格式须为 YYYY-MM');
      const snapshot = await strapi.db.query(SNAPSHOT).findOne({ where: { period, state: 'done' } });
      // the region prefix of the reach (access-scope): '' the country; a kindergarten or nothing reads no snapshot
      const prefix = scope(strapi).prefixOf(reach);
      if (!snapshot || prefix === null) throw new errors.NotFoundError('Not Found');
      const summary: Summary = snapshot.summary;
      const covers = (row: Row, digits: number) => prefix.length <= digits && row.code.startsWith(prefix);
      return {
        period,
        finishedAt: snapshot.finishedAt,
        counties: summary.counties.filter((row) => covers(row, 6)),
        prefectures: summary.prefectures.filter((row) => covers(row, 4)),
        provinces: summary.provinces.filter((row) => covers(row, 2)),
        nation: prefix === '' ? summary.nation : null,
        projects: this.projectsPart(snapshot.projects, prefix),
      };
    },

    /**
     * Project funds month by month: the total of the projects inside the reach (count, budget,
     * allocated, spent, overspent, late reports) in each saved period between `from` and `to`
     * (default: the last 12 saved).
     */
    async projectsTrend(reach: Reach, from?: unknown, to?: unknown) {
      for (const [field, value] of [['from', from], ['to', to]] as const) {
        if (value !== undefined && value !== '' && !isValidPeriod(value)) throw validationError(field, '期间格式须为 YYYY-MM');
      }
      const prefix = scope(strapi).prefixOf(reach);
      if (prefix === null) return [];
      const where: any = { state: 'done' };
      if (from || to) where.period = { ...(from ? { $gte: from } : {}), ...(to ? { $lte: to } : {}) };
      let rows = await strapi.db.query(SNAPSHOT).findMany({ where, select: ['period', 'projects'], orderBy: { period: 'asc' } });
      if (!from && !to) rows = rows.slice(-12);
      return rows.map((row: any) => {
        const { total } = this.projectsPart(row.projects, prefix).rollups.level;
        const { byType, code, name, ...figures } = total;
        return { period: row.period, ...figures };
      });
    },
  };
};

export type SnapshotsService = ReturnType<typeof snapshotsService>;
export default snapshotsService;
