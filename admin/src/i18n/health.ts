/**
 * Messages of 卫生保健 (docs/health.md), merged into zh-CN.ts and en.ts (`app.health` and the
 * resources below), so the two languages keep the same keys.
 */
export const healthAppZh = {
    menu: { checks: '体检记录', vaccinations: '接种证查验', conditions: '过敏与慢性病' },
    tab: '卫生保健',
    none: '暂无记录',
    flags: { normal: '正常', underweight: '低体重', thin: '消瘦', overweight: '超重', obese: '肥胖' },
    import: { template: '下载导入模板', upload: '导入 Excel', busy: '正在导入…', done: '已导入 %{created} 条记录' },
};
export const healthAppEn = {
    menu: { checks: 'Health checks', vaccinations: 'Vaccination checks', conditions: 'Allergies & conditions' },
    tab: 'Health',
    none: 'No records',
    flags: { normal: 'Normal', underweight: 'Underweight', thin: 'Thinness', overweight: 'Overweight', obese: 'Obesity' },
    import: { template: 'Download template', upload: 'Import Excel', busy: 'Importing…', done: '%{created} records imported' },
};

export const healthResourcesZh = {
    'child-health-checks': {
        name: '体检记录',
        fields: {
            child: '幼儿', checkType: '体检类型', checkDate: '体检日期', checkedBy: '体检机构', heightCm: '身高（cm）', weightKg: '体重（kg）', visionLeft: '左眼视力', visionRight: '右眼视力',
            haemoglobin: '血红蛋白（g/L）', conclusion: '体检结论', ageMonths: '月龄', bmi: 'BMI', bmiZ: 'BMI Z 分', weightForAgeZ: '年龄别体重 Z 分', weightForHeightZ: '身高别体重 Z 分', growthFlags: '生长发育评价', nutritionStatus: '营养状况', institutionCode: '机构标识码',
        },
    },
    'vaccination-checks': {
        name: '接种证查验',
        fields: { child: '幼儿', checkDate: '查验日期', status: '查验结果', vaccinesToComplete: '需补种疫苗', completedOn: '补种完成日期', note: '备注', institutionCode: '机构标识码' },
    },
    'child-health-conditions': {
        name: '过敏与慢性病',
        fields: { child: '幼儿', conditionType: '类别', description: '过敏原或疾病名称', since: '起始日期', careInstructions: '照护要求', active: '仍需关注', institutionCode: '机构标识码' },
    },
};
export const healthResourcesEn = {
    'child-health-checks': {
        name: 'Health checks',
        fields: {
            child: 'Child', checkType: 'Type', checkDate: 'Date', checkedBy: 'Institution', heightCm: 'Height (cm)', weightKg: 'Weight (kg)', visionLeft: 'Vision, left', visionRight: 'Vision, right',
            haemoglobin: 'Haemoglobin (g/L)', conclusion: 'Conclusion', ageMonths: 'Age (months)', bmi: 'BMI', bmiZ: 'BMI-for-age z', weightForAgeZ: 'Weight-for-age z', weightForHeightZ: 'Weight-for-length/height z', growthFlags: 'Growth', nutritionStatus: 'Nutrition status', institutionCode: 'Institution code',
        },
    },
    'vaccination-checks': {
        name: 'Vaccination checks',
        fields: { child: 'Child', checkDate: 'Date', status: 'Result', vaccinesToComplete: 'Vaccines to complete', completedOn: 'Completed on', note: 'Note', institutionCode: 'Institution code' },
    },
    'child-health-conditions': {
        name: 'Allergies & conditions',
        fields: { child: 'Child', conditionType: 'Type', description: 'Allergen or condition', since: 'Since', careInstructions: 'Care instructions', active: 'Needs attention', institutionCode: 'Institution code' },
    },
};
