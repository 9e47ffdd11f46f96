import snapshots from './snapshots';

export default { snapshots };
