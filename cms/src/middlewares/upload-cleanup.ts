import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import { temporaryUploads } from '../security/files';

/**
 * Wraps Strapi's body parser: once the request is answered, every temporary upload file of the
 * request is removed, whatever its field (see temporaryUploads). Services read an upload before
 * they answer; nothing reads it afterwards.
 */
export default (_config: unknown, { strapi }: { strapi: Core.Strapi }) => async (ctx, next) => {
  try {
    await next();
  } finally {
    const uploads = temporaryUploads(ctx.request.files);
    if (uploads.length) {
      await Promise.all(uploads.map((filepath) =>
        fs.promises.rm(filepath, { force: true }).catch((error) => strapi.log.warn(`upload-cleanup: ${error.message}`))));
    }
  }
};
