import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import fs from 'node:fs';
import path from 'node:path';
import { validFileLink } from '../../../security/files';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async show(ctx) {
    const name = String(ctx.params.name ?? '');
    if (!validFileLink(name, ctx.query.exp, ctx.query.sig)) throw new errors.NotFoundError('Not Found');
    const file = await strapi.db.query('plugin::upload.file').findOne({ where: { url: `/uploads/${name}` } });
    const location = path.join(strapi.dirs.static.public, 'uploads', name);
    if (!file || !fs.existsSync(location)) throw new errors.NotFoundError('Not Found');
    ctx.set('Content-Type', file.mime || 'application/octet-stream');
    ctx.set('Content-Disposition', `inline; filename*=UTF-8''${encodeURIComponent(file.name ?? name)}`);
    ctx.set('Cache-Control', 'private, no-store');
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.body = fs.createReadStream(location);
  },
});
