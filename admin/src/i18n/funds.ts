/**
 * Messages of staff, training, financial aid and project funds, merged into zh-CN.ts
 * and en.ts (`app.funds` and the resources below), so the two languages keep the same keys.
 */
export const fundsAppZh = {
    menu: { staff: '教职工', training: '培训记录', staffing: '配备核查', analysis: '教职工分析', aid_apply: '资助申请', aid_grants: '资助批准与发放', aid_payments: '资助发放记录', aid_totals: '资助统计', projects: '项目资金', progress: '项目进展月报', rollup: '项目汇总', my_staff: '我的档案' },
    staffing: {
        title: '教职工配备核查', kindergarten: '机构标识码', check: '核查', children: '在园幼儿', classes: '班级数', standard: '标准', actual: '实有', required: '应有', per_adult: '每人对应幼儿', ok: '达标', not_ok: '不达标', compliant: '符合配备标准', not_compliant: '未达到配备标准',
    },
    analysis: {
        title: '教职工分析', group_by: '分组', county: '区县', prefecture: '地市', province: '省', region: '地区', total: '合计', staff: '教职工', certificate_rate: '持证率', age_bands: '年龄结构', degree: '最高学历', title_dist: '职称', establishment: '编制', unknown: '未填',
    },
    my: {
        title: '我的教职工档案', trainings: '培训记录', corrections: '更正申请', request_correction: '申请更正', reason: '更正理由', submitted: '更正申请已提交，待本园审核', none: '暂无', not_linked: '该账号未关联教职工记录', open_account: '开通教师账号', username: '用户名', account_created: '已开通账号 %{username}，临时密码：%{password}（只显示这一次，首次登录须修改）',
    },
    aid: {
        apply_title: '学前教育资助申请', apply_help: '为本园幼儿申请资助，由县级教育部门审核；批准后生成资助批准记录，县级按学期登记发放。', child: '幼儿', reason: '申请理由',
        disburse: '登记发放', disbursed: '发放已登记', totals_title: '资助统计', approved: '批准金额', paid: '已发放', by_source: '按资金来源', by_category: '按资助类别', grants: '批准人次', payments: '发放笔数',
    },
    projects: {
        submit: '提交审核', approve: '审核通过', return: '退回', comment: '审核意见', submitted: '已提交审核', reviewed: '已审核', report: '填报本月进展', reports: '进展月报',
        rollup_title: '项目资金汇总', by: '汇总方式', level: '按层级', reporting_title: '月报填报情况', month: '月份', due: '截止日期 %{due}', missing: '未报', late: '逾期', on_time: '按时', projects: '项目数', overspent: '超支项目',
        source_central: '中央财政', source_provincial: '省级财政', source_local: '地方财政',
    },
};

export const fundsAppEn: typeof fundsAppZh = {
    menu: { staff: 'Staff', training: 'Training', staffing: 'Staffing check', analysis: 'Staff analysis', aid_apply: 'Aid application', aid_grants: 'Aid grants', aid_payments: 'Aid payments', aid_totals: 'Aid totals', projects: 'Project funds', progress: 'Monthly progress', rollup: 'Project roll-up', my_staff: 'My record' },
    staffing: {
        title: 'Staffing check', kindergarten: 'Institution code', check: 'Check', children: 'Children', classes: 'Classes', standard: 'Standard', actual: 'Actual', required: 'Required', per_adult: 'Children per adult', ok: 'Met', not_ok: 'Not met', compliant: 'Meets the staffing standard', not_compliant: 'Below the staffing standard',
    },
    analysis: {
        title: 'Staff analysis', group_by: 'Group by', county: 'County', prefecture: 'Prefecture', province: 'Province', region: 'Region', total: 'Total', staff: 'Staff', certificate_rate: 'Certificate rate', age_bands: 'Age bands', degree: 'Highest degree', title_dist: 'Title', establishment: 'Established posts', unknown: 'Not given',
    },
    my: {
        title: 'My staff record', trainings: 'Training', corrections: 'Correction requests', request_correction: 'Request a correction', reason: 'Reason', submitted: 'Correction requested; your kindergarten reviews it', none: 'None', not_linked: 'This account is not linked to a staff record', open_account: 'Open a teacher account', username: 'Username', account_created: 'Account %{username} opened; temporary password: %{password} (shown once, to be changed at first login)',
    },
    aid: {
        apply_title: 'Financial aid application', apply_help: 'Apply for aid for a child of your kindergarten; the county reviews it. An approved application becomes a grant, paid by the county per term.', child: 'Child', reason: 'Reason',
        disburse: 'Record payment', disbursed: 'Payment recorded', totals_title: 'Aid totals', approved: 'Approved', paid: 'Paid', by_source: 'By source', by_category: 'By category', grants: 'Grants', payments: 'Payments',
    },
    projects: {
        submit: 'Submit for review', approve: 'Approve', return: 'Return', comment: 'Comment', submitted: 'Submitted for review', reviewed: 'Reviewed', report: 'Report this month', reports: 'Monthly reports',
        rollup_title: 'Project funds roll-up', by: 'Group by', level: 'By level', reporting_title: 'Monthly reporting', month: 'Month', due: 'Due %{due}', missing: 'Missing', late: 'Late', on_time: 'On time', projects: 'Projects', overspent: 'Overspent',
        source_central: 'Central', source_provincial: 'Provincial', source_local: 'Local',
    },
};

export const fundsResourcesZh = {
    'staff-members': {
        name: '教职工',
        fields: { name: '姓名', post: '岗位', sex: '性别', birthDate: '出生日期', ethnicity: '民族', idType: '证件类型', idNumber: '证件号码', idNumberMasked: '证件号码', degree: '最高学历', major: '所学专业', certificateType: '资格证种类', certificateNumber: '资格证编号', title: '职称', establishment: '编制', hiredOn: '入职日期', employmentStatus: '任职状态', phone: '联系电话', institutionCode: '机构标识码', countyCode: '区县代码', name_containsi: '姓名' },
    },
    'training-records': {
        name: '培训记录',
        fields: { staff: '教职工', course: '培训课程', hours: '学时', credits: '学分', startDate: '开始日期', endDate: '结束日期', provider: '培训机构', institutionCode: '机构标识码' },
    },
    'aid-grants': {
        name: '资助批准',
        fields: { childName: '幼儿', category: '资助类别', term: '学期', amount: '申请金额（元）', approvedAmount: '批准金额（元）', disbursedAmount: '已发放（元）', note: '备注', approvedAt: '批准时间', institutionCode: '机构标识码', countyCode: '区县代码', source: '资金来源', paidOn: '发放日期' },
    },
    'aid-disbursements': {
        name: '资助发放',
        fields: { childName: '幼儿', category: '资助类别', term: '学期', source: '资金来源', amount: '发放金额（元）', paidOn: '发放日期', recordedByName: '登记人', institutionCode: '机构标识码', countyCode: '区县代码' },
    },
    projects: {
        name: '项目',
        fields: { name: '项目名称', type: '项目类别', year: '年度', regionCode: '所属地区代码', ownerLevel: '所属层级', budget: '预算（万元）', allocated: '下达金额（万元）', spent: '已支出（万元）', overspendReason: '超支说明', progress: '进度（%）', description: '项目说明', attachments: '附件', reviewState: '审核状态', reviewComment: '审核意见', reviewedByName: '审核人', createdByLevel: '下达单位层级', sources: '资金来源（万元）', 'sources.central': '中央财政（万元）', 'sources.provincial': '省级财政（万元）', 'sources.local': '地方财政（万元）' },
        state: { draft: '草稿', submitted: '待审核', approved: '已通过', returned: '已退回' },
    },
    'project-progress-reports': {
        name: '项目进展月报',
        fields: { projectId: '项目', projectName: '项目', month: '月份', progress: '进度（%）', spentToDate: '累计支出（万元）', note: '进展说明', submittedAt: '填报时间', late: '逾期', state: '状态', reviewComment: '审核意见', reviewedByName: '审核人' },
    },
};

export const fundsResourcesEn: typeof fundsResourcesZh = {
    'staff-members': {
        name: 'Staff',
        fields: { name: 'Name', post: 'Post', sex: 'Sex', birthDate: 'Birth date', ethnicity: 'Ethnicity', idType: 'ID type', idNumber: 'ID number', idNumberMasked: 'ID number', degree: 'Highest degree', major: 'Major', certificateType: 'Certificate', certificateNumber: 'Certificate number', title: 'Title', establishment: 'Established post', hiredOn: 'Hired on', employmentStatus: 'Status', phone: 'Phone', institutionCode: 'Institution code', countyCode: 'County code', name_containsi: 'Name' },
    },
    'training-records': {
        name: 'Training',
        fields: { staff: 'Staff member', course: 'Course', hours: 'Hours', credits: 'Credits', startDate: 'Start', endDate: 'End', provider: 'Provider', institutionCode: 'Institution code' },
    },
    'aid-grants': {
        name: 'Aid grants',
        fields: { childName: 'Child', category: 'Category', term: 'Term', amount: 'Amount (yuan)', approvedAmount: 'Approved (yuan)', disbursedAmount: 'Paid (yuan)', note: 'Note', approvedAt: 'Approved at', institutionCode: 'Institution code', countyCode: 'County code', source: 'Source', paidOn: 'Paid on' },
    },
    'aid-disbursements': {
        name: 'Aid payments',
        fields: { childName: 'Child', category: 'Category', term: 'Term', source: 'Source', amount: 'Amount (yuan)', paidOn: 'Paid on', recordedByName: 'Recorded by', institutionCode: 'Institution code', countyCode: 'County code' },
    },
    projects: {
        name: 'Projects',
        fields: { name: 'Name', type: 'Type', year: 'Year', regionCode: 'Region code', ownerLevel: 'Level', budget: 'Budget (10k yuan)', allocated: 'Allocated (10k yuan)', spent: 'Spent (10k yuan)', overspendReason: 'Overspend reason', progress: 'Progress (%)', description: 'Description', attachments: 'Attachments', reviewState: 'Review', reviewComment: 'Review comment', reviewedByName: 'Reviewed by', createdByLevel: 'Allocated by', sources: 'Sources (10k yuan)', 'sources.central': 'Central (10k yuan)', 'sources.provincial': 'Provincial (10k yuan)', 'sources.local': 'Local (10k yuan)' },
        state: { draft: 'Draft', submitted: 'Submitted', approved: 'Approved', returned: 'Returned' },
    },
    'project-progress-reports': {
        name: 'Monthly progress',
        fields: { projectId: 'Project', projectName: 'Project', month: 'Month', progress: 'Progress (%)', spentToDate: 'Spent to date (10k yuan)', note: 'Note', submittedAt: 'Submitted at', late: 'Late', state: 'State', reviewComment: 'Review comment', reviewedByName: 'Reviewed by' },
    },
};
