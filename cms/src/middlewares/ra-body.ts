const SYSTEM_FIELDS = ['id', 'rowId', 'documentId', 'createdAt', 'updatedAt', 'publishedAt', 'locale', 'createdBy', 'updatedBy', 'localizations'];

/**
 * The second half of the react-admin bridge (see ra-bridge): after Strapi's body parser, wraps a
 * simple-rest body as Strapi's `{ data }` and drops the fields the server owns.
 */
export default () => async (ctx, next) => {
  if (ctx.state.raBridge && ['POST', 'PUT', 'PATCH'].includes(ctx.method)) {
    const body = ctx.request.body && typeof ctx.request.body === 'object' ? { ...ctx.request.body } : {};
    for (const field of SYSTEM_FIELDS) delete body[field];
    ctx.request.body = { data: body };
  }
  return next();
};
