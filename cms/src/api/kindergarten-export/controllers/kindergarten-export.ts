import { listExportController } from '../../../domain/export-stream';

/** GET /api/kindergarten-export?format=xlsx|csv&filters[...] (or filter={json} as the panel's list). */
export default listExportController('api::kindergarten-export.kindergarten-export', '幼儿园');
