/**
 * Messages of the custom fields (自定义字段), merged into zh-CN.ts and en.ts
 * (`app.custom_fields` and `resources['custom-fields']`), so the two languages keep the same keys.
 */
export const customFieldsAppZh = {
    menu: '自定义字段',
    section: '自定义字段',
    retire: '停用',
    restore: '恢复启用',
    retired_done: '字段已停用：已填写的值保留在记录中，表单和列表中不再显示',
    restored_done: '字段已恢复启用',
    entity: { child: '幼儿', kindergarten: '幼儿园', staff: '教职工', 'safety-inspection': '安全检查', incident: '意外事故', 'resource-inventory': '玩教具与图书', healthCheck: '体检记录' },
    type: { text: '文本', number: '数字', date: '日期', boolean: '是/否', choice: '代码表选项', region: '行政区划' },
    helpers: {
        key: '字段键（高级）：留空则按字段名称的拼音自动生成；自己填写时须以小写字母开头，只含小写字母、数字和下划线；创建后不能修改',
        regionCode: '适用地区：本省 350000、某市 350500 或某县 350502；不填则为全省',
        range: '数字为取值范围，文本为字数范围',
        pattern: '高级格式（正则表达式，供熟悉的人员使用），如 ^[A-Z]{2}\\d{6}$',
        format: '选择一种常用格式，填写时按它检查；不需要检查就选“不限”',
        fixed: '对象、类型和代码表创建后不能修改：如需改变请停用该字段后另建',
        code_table: '可选用国家标准代码表，或在“代码表维护”页面新建本省的代码表',
    },
    format_none: '不限',
    format_advanced: '高级：自定义格式（正则表达式）',
    format_example: '%{name}（如 %{example}）',
    advanced: '显示高级选项（字段键、自定义格式）',
    key_generated: '字段键将按名称自动生成',
};

export const customFieldsAppEn: typeof customFieldsAppZh = {
    menu: 'Custom fields',
    section: 'Custom fields',
    retire: 'Retire',
    restore: 'Restore',
    retired_done: 'Field retired: values already entered stay on the records; forms and lists no longer show it',
    restored_done: 'Field restored',
    entity: { child: 'Child', kindergarten: 'Kindergarten', staff: 'Staff', 'safety-inspection': 'Safety inspection', incident: 'Incident', 'resource-inventory': 'Toys and books', healthCheck: 'Health check' },
    type: { text: 'Text', number: 'Number', date: 'Date', boolean: 'Yes/no', choice: 'Code-table choice', region: 'Region' },
    helpers: {
        key: 'Key (advanced): left empty, it is made from the label in pinyin; if you type one it starts with a lower-case letter, then lower-case letters, digits and underscores; fixed once created',
        regionCode: 'Where it applies: the province 350000, a prefecture 350500 or a county 350502; empty means the whole province',
        range: 'A value range for numbers, a length range for text',
        pattern: 'Advanced format (regular expression, for experts), e.g. ^[A-Z]{2}\\d{6}$',
        format: 'Pick a common format and values are checked against it; pick “Any” for no check',
        fixed: 'Entity, type and code table are fixed once created: retire the field and define a new one to change them',
        code_table: 'A national code table, or one the province created on the Code tables screen',
    },
    format_none: 'Any',
    format_advanced: 'Advanced: own format (regular expression)',
    format_example: '%{name} (e.g. %{example})',
    advanced: 'Show advanced options (key, own format)',
    key_generated: 'The key is made from the label',
};

export const customFieldsResourcesZh = {
    'custom-fields': {
        name: '自定义字段',
        fields: { entity: '适用对象', key: '字段键', label: '字段名称', type: '字段类型', required: '必填', help: '填写说明', min: '最小值', max: '最大值', pattern: '高级格式', format: '格式', advanced: '高级选项', codeTable: '代码表', regionCode: '适用地区代码', retired: '已停用', order: '排序' },
    },
};

export const customFieldsResourcesEn: typeof customFieldsResourcesZh = {
    'custom-fields': {
        name: 'Custom field |||| Custom fields',
        fields: { entity: 'Applies to', key: 'Key', label: 'Label', type: 'Type', required: 'Required', help: 'Help text', min: 'Minimum', max: 'Maximum', pattern: 'Advanced format', format: 'Format', advanced: 'Advanced options', codeTable: 'Code table', regionCode: 'Region code', retired: 'Retired', order: 'Order' },
    },
};
