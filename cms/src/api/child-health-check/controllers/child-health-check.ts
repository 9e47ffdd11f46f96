import { childRecordController } from '../../../utils/child-record-controller';

export default childRecordController('api::child-health-check.child-health-check');
