/**
 * Messages of the monthly snapshots' project part (issue #7), merged into zh-CN.ts and en.ts as
 * `app.snapshots`, so the two languages keep the same keys.
 */
export const snapshotsAppZh = {
    projects_title: '月度存档 · 项目资金',
    projects_hint: '所选月份月末保存的项目数据（保存后不再变化），本级管辖范围内',
    month: '存档月份',
    none: '尚无月度存档',
    no_projects: '该月存档中没有本级管辖范围内的项目',
    by: '汇总方式',
    level: '按层级',
    province: '按省',
    prefecture: '按地市',
    county: '按区县',
    region: '层级 / 地区',
    projects: '项目数',
    budget: '预算（万元）',
    allocated: '下达（万元）',
    spent: '支出（万元）',
    overspent: '超支项目',
    late_reports: '月报逾期',
    total: '合计',
};

export const snapshotsAppEn: typeof snapshotsAppZh = {
    projects_title: 'Monthly snapshot · project funds',
    projects_hint: 'Project data saved at the end of the chosen month (never changed afterwards), inside your reach',
    month: 'Snapshot month',
    none: 'No monthly snapshot yet',
    no_projects: 'No project of your reach in this month’s snapshot',
    by: 'Group by',
    level: 'By level',
    province: 'By province',
    prefecture: 'By prefecture',
    county: 'By county',
    region: 'Level / region',
    projects: 'Projects',
    budget: 'Budget (10k yuan)',
    allocated: 'Allocated (10k yuan)',
    spent: 'Spent (10k yuan)',
    overspent: 'Overspent',
    late_reports: 'Late reports',
    total: 'Total',
};
