import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import fs from 'node:fs';
import path from 'node:path';
import { fileAnswerHeaders, validFileLink } from '../../../security/files';
import { detectFileType } from '../../../security/upload-content';

export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async show(ctx) {
    const name = String(ctx.params.name ?? '');
    if (!validFileLink(name, ctx.query.exp, ctx.query.sig)) throw new errors.NotFoundError('Not Found');
    const file = await strapi.db.query('plugin::upload.file').findOne({ where: { url: `/uploads/${name}` } });
    const location = path.join(strapi.dirs.static.public, 'uploads', name);
    if (!file || !fs.existsSync(location)) throw new errors.NotFoundError('Not Found');
    // served with the type its content has now (cms/src/security/files.ts fileAnswerHeaders)
    ctx.set(fileAnswerHeaders(detectFileType(location), file.name, name));
    ctx.body = fs.createReadStream(location);
  },
});
