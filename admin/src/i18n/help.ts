/** Messages of the help page (admin/src/help/HelpPage.tsx), merged into zh-CN.ts and en.ts as `app.help`. */
export const helpZh = {
    menu: '帮助',
    title: '帮助',
    panel: {
        title: '本系统的管理面板',
        body: '您现在使用的就是本系统的管理面板，各级用户（教育部、省、市、县、幼儿园）和三员都在这里办理业务：左侧菜单只列出您这一级有权使用的页面，列表只显示您管辖范围内的数据。\n字段、代码表、角色权限、校历与期限、安全策略都在相应的页面上修改，立即生效，不需要改动任何文件，也不需要重启。',
    },
    admin: {
        title: '系统管理后台（/admin）是什么',
        body: '地址 /admin 是系统所用框架（Strapi）自带的技术后台，供部署本系统的技术人员维护少量参考数据，界面为英文。业务人员不需要、也不应该使用它：幼儿、教职工、申请、审计记录等含个人信息或业务数据的内容在那里一律不能读写。\n为保证快速启动，默认不构建这个后台：打开 /admin 会回到本帮助页。技术人员如需使用，请在服务器上设置环境变量 STRAPI_ADMIN_ENABLED=true 后重新启动（首次会多用约一分钟构建它）；生产环境中它默认关闭。\n不能通过网页注册系统管理员：首个管理员须在服务器上运行 npm run admin:create -- --email 邮箱 --password 密码 创建。',
    },
    nocode: {
        title: '不写代码就能调整的内容',
        body: '自定义字段：填写字段名称、选择类型和常用格式（手机号码、邮政编码、身份证号等）即可，系统按名称自动生成字段键。\n代码表维护：可以新建本省的代码表（如“接种情况：全程、部分、未接种”），增加、排序或停用选项，并在自定义字段中选用。',
    },
    api: {
        title: '接口说明（供系统对接的技术人员）',
        body: '全部接口（含本系统自定义的接口）及其错误代码的说明见 /api/openapi.json（OpenAPI 3 格式，可导入常见的接口工具查看）。',
    },
};

export const helpEn: typeof helpZh = {
    menu: 'Help',
    title: 'Help',
    panel: {
        title: 'This panel',
        body: 'This panel is where every level (Ministry, province, prefecture, county, kindergarten) and the three administrators work: the menu lists only the pages your level may use, and lists show only the data within your reach.\nFields, code tables, role permissions, the calendar and deadlines, and the security policy are changed on their own screens, in force at once: no file is edited, nothing is restarted.',
    },
    admin: {
        title: 'What /admin is',
        body: 'The address /admin is the technical back office of the framework the system runs on (Strapi), for the technical staff who deploy it, to maintain a little reference data; it is in English. Nobody needs it for the daily work: children, staff, requests, audit records and anything else holding personal or business data can be neither read nor written there.\nSo that the system starts fast, it is not built by default: opening /admin brings you to this help page. Technical staff who need it set STRAPI_ADMIN_ENABLED=true on the server and restart (the first time takes about a minute more to build it); in production it is off unless so enabled.\nNo administrator can register through the web: the first one is created on the server with npm run admin:create -- --email … --password ….',
    },
    nocode: {
        title: 'What you change without code',
        body: 'Custom fields: give a label, pick a type and a common format (mobile phone, postcode, ID number…); the key is made from the label.\nCode tables: create the province’s own tables (e.g. “Vaccination: full, partial, none”), add, order or retire their items, and use them in custom choice fields.',
    },
    api: {
        title: 'The API (for technical staff connecting other systems)',
        body: 'Every route of the API, the system’s own included, with its error codes, is described at /api/openapi.json (OpenAPI 3; most API tools import it).',
    },
};
