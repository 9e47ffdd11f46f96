/**
 * The HTTP handlers of an all-or-nothing import (cms/src/api/health-import, cms/src/api/safety-import):
 * GET …/:record/template and POST …/:record/report answer a workbook, POST …/:record the count created.
 */
type Workbook = { name: string; body: Buffer };
export type Importer = {
  template(user: any, record: unknown): Promise<Workbook>;
  importFile(user: any, record: unknown, file: any): Promise<unknown>;
  report(user: any, record: unknown, file: any): Promise<Workbook>;
};

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export function importHandlers(importer: () => Importer) {
  const download = (ctx: any, file: Workbook) => {
    ctx.set('Content-Disposition', `attachment; filename*=UTF-8''${encodeURIComponent(file.name)}`);
    ctx.type = XLSX;
    ctx.body = file.body;
  };
  return {
    async template(ctx: any) {
      download(ctx, await importer().template(ctx.state.user, ctx.params.record));
    },
    async create(ctx: any) {
      ctx.body = { data: await importer().importFile(ctx.state.user, ctx.params.record, ctx.request.files?.file) };
    },
    async report(ctx: any) {
      download(ctx, await importer().report(ctx.state.user, ctx.params.record, ctx.request.files?.file));
    },
  };
}
