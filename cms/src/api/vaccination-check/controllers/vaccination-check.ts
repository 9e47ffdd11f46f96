import { childRecordController } from '../../../utils/child-record-controller';

export default childRecordController('api::vaccination-check.vaccination-check');
