/**
 * Messages of the 学籍 lifecycle's oversight: overdue transfers on the 逾期与填报 page,
 * spread into `app.oversight` of zh-CN.ts and en.ts, so the two languages keep the same keys.
 */
export const lifecycleOversightZh = {
    transfers: '转园逾期情况',
    transfers_help: '转园须在申请后规定的工作日内完成（校历与期限）；逾期未完成的转园，转出、转入两地的区县及上级都会看到。',
    transfers_open: '办理中',
    transfers_overdue: '已逾期的转园',
    transfers_none: '暂无办理中的转园',
    direction_outgoing: '转出',
    direction_incoming: '转入',
    due: '应于 %{due} 前完成',
};

export const lifecycleOversightEn: typeof lifecycleOversightZh = {
    transfers: 'Overdue transfers',
    transfers_help: 'A transfer must be completed within the working days set in the calendar; when overdue, both counties and the levels above see it.',
    transfers_open: 'Open',
    transfers_overdue: 'Overdue transfers',
    transfers_none: 'No transfer is open',
    direction_outgoing: 'Out',
    direction_incoming: 'In',
    due: 'due by %{due}',
};
