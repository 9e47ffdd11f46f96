/**
 * 安全隐患 and their rectification (整改): open → rectified (the kindergarten, with a text and at least
 * one photo) → verified | returned (the county), returned → rectified again — the declarations of
 * config/transitions.json machine `safety-finding`, applied by the one transition() of
 * cms/src/domain/workflows.ts. Photos are checked by content (cms/src/security/upload-content.ts,
 * purpose `evidence`). `overdue`: still with the kindergarten after its deadline.
 */
import { factories } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { actionsFor, actorMay, transition } from '../../../domain/workflows';
import { conflictError, fieldError } from '../../../utils/validation';
import { verifyUploads } from '../../../security/upload-content';
import { isOverdue } from '../../../domain/safety';
import { localDate } from '../../../domain/working-days';
import { regionNames } from '../../safety-inspection/services/safety-inspection';

const FINDING = 'api::safety-finding.safety-finding';
const MEDIA = { photos: true, rectificationPhotos: true, inspection: { fields: ['documentId', 'kind', 'inspectedOn', 'inspectorName'] } };

export default factories.createCoreService(FINDING, ({ strapi }) => ({
  /** A finding inside the caller's reach (404 outside), as the engine needs it (the stored row). */
  async load(documentId: string) {
    const inReach: any = await strapi.documents(FINDING).findOne({ documentId: String(documentId) });
    if (!inReach) throw new errors.NotFoundError('Not Found');
    return strapi.db.query(FINDING).findOne({ where: { id: inReach.id }, populate: { rectificationPhotos: true, inspection: true } });
  },

  /** What a record carries besides its fields: the transitions the caller may take now, overdue. */
  async decorate(user: any, data: any) {
    const list = Array.isArray(data) ? data : data ? [data] : [];
    const actions = await actionsFor(strapi, 'safety-finding', user, list);
    const today = localDate();
    list.forEach((record, i) => {
      record.actions = actions[i];
      record.overdue = isOverdue(record, today);
    });
  },

  async show(user: any, documentId: string) {
    const record: any = await strapi.documents(FINDING).findOne({ documentId, populate: MEDIA } as any);
    if (!record) throw new errors.NotFoundError('Not Found');
    await this.decorate(user, record);
    return record;
  },

  /** A move of the machine `safety-finding` (config/transitions.json), by the caller. */
  async move(user: any, documentId: string, action: string, input: Record<string, any>) {
    const record = await this.load(documentId);
    await transition(strapi, { machine: 'safety-finding', action, actor: user, record, input: input ?? {} });
    return this.show(user, documentId);
  },

  /** GET /api/safety-findings/summary: per county of the caller's reach, findings by state, overdue ones, by severity. */
  async summary() {
    const rows = (await strapi.documents(FINDING).findMany({ fields: ['countyCode', 'state', 'severity', 'deadline'], limit: 1000000 } as any)) as any[];
    const today = localDate();
    const empty = () => ({ total: 0, open: 0, rectified: 0, returned: 0, verified: 0, noted: 0, overdue: 0, major: 0 });
    const byCounty = new Map<string, any>();
    const total = empty();
    for (const row of rows) {
      const sum = byCounty.get(row.countyCode) ?? empty();
      for (const target of [sum, total]) {
        target.total += 1;
        target[row.state] = (target[row.state] ?? 0) + 1;
        target.overdue += isOverdue(row, today) ? 1 : 0;
        target.major += row.severity === 'major' && row.state !== 'verified' && row.state !== 'noted' ? 1 : 0;
      }
      byCounty.set(row.countyCode, sum);
    }
    const names = await regionNames(strapi, [...byCounty.keys()]);
    return { total, counties: [...byCounty.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([countyCode, sum]) => ({ countyCode, countyName: names.get(countyCode) ?? countyCode, ...sum })) };
  },

  /** Check of `rectify`: at least one photo of the rectification. */
  async checkRectification(ctx: any) {
    const photos = ctx.record.rectificationPhotos ?? (await strapi.db.query(FINDING).findOne({ where: { id: ctx.record.id }, populate: { rectificationPhotos: true } }))?.rectificationPhotos;
    if (!photos?.length) throw fieldError('rectificationPhotos', '请先上传整改后的照片');
  },

  /**
   * POST /api/safety-findings/:id/photos (multipart `files`, `purpose` finding | rectification):
   * the inspector's photos of the hazard (while the finding is not closed), or the kindergarten's
   * photos of the rectification (while it is with the kindergarten).
   */
  async addPhotos(user: any, documentId: string, purpose: unknown, files: unknown) {
    const record: any = await this.load(documentId);
    const rectification = purpose === 'rectification';
    if (!rectification && purpose !== 'finding') throw fieldError('purpose', '照片用途须为 finding（隐患照片）或 rectification（整改照片）');
    if (rectification) {
      if (!actorMay(strapi, 'safety-finding', 'rectify', user, record)) throw new errors.ForbiddenError('整改照片由隐患所在幼儿园上传');
      if (!['open', 'returned'].includes(record.state)) throw conflictError('该隐患不在待整改状态，不能再上传整改照片', ['state']);
    } else {
      const inspector = record.inspection?.kind === 'county' ? user?.level === 'county' && user?.regionCode === record.countyCode
        : actorMay(strapi, 'safety-finding', 'rectify', user, record);
      if (!inspector) throw new errors.ForbiddenError('隐患照片由检查方上传');
      if (['verified'].includes(record.state)) throw conflictError('该隐患已整改完毕', ['state']);
    }
    const list = verifyUploads(files, 'evidence');
    if (list.length === 0) throw fieldError('files', '请选择要上传的照片');
    await strapi.plugin('upload').service('upload').upload({ data: { ref: FINDING, refId: record.id, field: rectification ? 'rectificationPhotos' : 'photos' }, files: list });
    return this.show(user, documentId);
  },
}));
