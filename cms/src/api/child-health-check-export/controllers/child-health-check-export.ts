import { listExportController } from '../../../domain/export-stream';

/** GET /api/child-health-check-export?format=xlsx|csv&filters[...] (or filter={json} as the panel's list). */
export default listExportController('api::child-health-check-export.child-health-check-export', '体检记录');
