/**
 * Messages of 安全管理 and 玩教具与图书 (admin/src/resources/safety), merged into zh-CN.ts and en.ts
 * (`app.safety` and the resources below), so the two languages keep the same keys. Names of
 * checklist items, incident types and toy categories come from the server (GET /api/me facts.safety).
 */
export const safetyAppZh = {
    menu: { inspections: '安全检查', findings: '隐患整改', incidents: '意外事故', inventories: '玩教具与图书', shortfalls: '配备缺口' },
    result: { pass: '合格', fail: '不合格', na: '不适用' },
    fields: { rectification: '整改情况', comment: '意见', measures: '补充的处置措施' },
    actions: { rectify: '提交整改', verify: '验收通过', return: '退回重新整改', approve: '审核通过', return_incident: '退回补充', resubmit: '补充后重新报告' },
    finding_description: '隐患描述', kindergarten_code: '被检查幼儿园的机构标识码', overdue: '逾期未整改', late: '逾期报告', done: '已提交',
    photos_help: '整改后的照片（JPG/PNG，至少一张）', report_within: '事故发生后 %{hours} 小时内报告，逾期报告将被标记', school_year_help: '如 2026-2027',
    shortfalls: { title: '玩教具与图书配备缺口', county: '区县', kindergartens: '幼儿园数', reported: '已填报', flagged: '未达标或未填报', children: '在园幼儿', books_short: '图书缺口（册）', flagged_list: '未达标或未填报的幼儿园', short: '缺', not_reported: '未填报' },
    dashboard: { title: '安全与配备', open_findings: '待整改隐患', overdue_findings: '逾期未整改', incidents_waiting: '待审核事故报告', missing_self: '本月未自查幼儿园', resources_flagged: '玩教具图书未达标', group_health: '卫生保健', group_safety: '安全管理' },
};

export const safetyAppEn: typeof safetyAppZh = {
    menu: { inspections: 'Safety inspections', findings: 'Rectification', incidents: 'Incidents', inventories: 'Toys and books', shortfalls: 'Resource shortfalls' },
    result: { pass: 'Pass', fail: 'Fail', na: 'Not applicable' },
    fields: { rectification: 'Rectification', comment: 'Comment', measures: 'Further measures' },
    actions: { rectify: 'Submit rectification', verify: 'Verify', return: 'Return for rectification', approve: 'Approve', return_incident: 'Return for details', resubmit: 'Resubmit' },
    finding_description: 'Hazard', kindergarten_code: 'Institution code of the kindergarten inspected', overdue: 'Overdue', late: 'Reported late', done: 'Submitted',
    photos_help: 'Photos after rectification (JPG/PNG, at least one)', report_within: 'Report within %{hours} hours of the incident; later reports are flagged', school_year_help: 'e.g. 2026-2027',
    shortfalls: { title: 'Toys and books shortfalls', county: 'County', kindergartens: 'Kindergartens', reported: 'Reported', flagged: 'Short or not reported', children: 'Children', books_short: 'Books short', flagged_list: 'Kindergartens short or not reported', short: 'short by', not_reported: 'Not reported' },
    dashboard: { title: 'Safety and resources', open_findings: 'Hazards to rectify', overdue_findings: 'Overdue', incidents_waiting: 'Incidents awaiting review', missing_self: 'No self-inspection this month', resources_flagged: 'Short of toys or books', group_health: 'Health care', group_safety: 'Safety' },
};

export const safetyResourcesZh = {
    'safety-inspections': {
        name: '安全检查',
        fields: { kindergartenName: '幼儿园', kindergarten: '被检查幼儿园', kind: '检查类型', inspectedOn: '检查日期', period: '检查周期', inspectorName: '检查人', failedCount: '不合格项数', summary: '检查小结' },
    },
    'safety-findings': {
        name: '隐患整改',
        fields: { kindergartenName: '幼儿园', itemKey: '检查项', severity: '隐患等级', description: '隐患描述', photos: '隐患照片', state: '整改状态', deadline: '整改期限', rectification: '整改情况', rectificationPhotos: '整改照片', reviewComment: '验收意见', reviewedByName: '验收人' },
    },
    incidents: {
        name: '意外事故',
        fields: { kindergartenName: '幼儿园', occurredAt: '发生时间', reportedAt: '报告时间', type: '事故类型', severity: '严重程度', place: '发生地点', description: '事故经过', injured: '受伤人数', measures: '处置措施', state: '审核状态', reviewComment: '审核意见' },
    },
    'resource-inventories': {
        name: '玩教具与图书',
        fields: { kindergartenName: '幼儿园', schoolYear: '学年', books: '图书（册）', notes: '备注' },
    },
};

export const safetyResourcesEn: typeof safetyResourcesZh = {
    'safety-inspections': {
        name: 'Safety inspection |||| Safety inspections',
        fields: { kindergartenName: 'Kindergarten', kindergarten: 'Kindergarten inspected', kind: 'Kind', inspectedOn: 'Date', period: 'Period', inspectorName: 'Inspector', failedCount: 'Items failed', summary: 'Summary' },
    },
    'safety-findings': {
        name: 'Hazard |||| Hazards',
        fields: { kindergartenName: 'Kindergarten', itemKey: 'Item', severity: 'Severity', description: 'Hazard', photos: 'Photos', state: 'State', deadline: 'Deadline', rectification: 'Rectification', rectificationPhotos: 'Photos after', reviewComment: 'Review comment', reviewedByName: 'Reviewed by' },
    },
    incidents: {
        name: 'Incident |||| Incidents',
        fields: { kindergartenName: 'Kindergarten', occurredAt: 'Occurred at', reportedAt: 'Reported at', type: 'Type', severity: 'Severity', place: 'Place', description: 'What happened', injured: 'Injured', measures: 'Measures taken', state: 'State', reviewComment: 'Review comment' },
    },
    'resource-inventories': {
        name: 'Toys and books',
        fields: { kindergartenName: 'Kindergarten', schoolYear: 'School year', books: 'Books', notes: 'Notes' },
    },
};
