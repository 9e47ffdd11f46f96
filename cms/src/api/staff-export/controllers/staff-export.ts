import { listExportController } from '../../../domain/export-stream';

/** GET /api/staff-export?format=xlsx|csv&filters[...] (or filter={json} as the panel's list). */
export default listExportController('api::staff-export.staff-export', '教职工');
