import { childRecordController } from '../../../utils/child-record-controller';

export default childRecordController('api::child-health-condition.child-health-condition');
