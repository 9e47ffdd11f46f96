/**
 * Messages of the security pages (issue #8): login with a second factor, the forced password
 * change and TOTP enrolment, the audit trail, the security policy. Merged into zh-CN.ts and en.ts
 * (`app.security` and the `audit-entries` resource), so both languages keep the same keys.
 */
export const securityAppZh = {
    menu: { audit: '审计日志', accounts: '账号管理', policy: '安全策略', delegations: '授权代理' },
    delegation: {
        approve: '同意', reject: '不同意', revoke: '撤销',
        delegate_help: '同一单位、同一层级的账号用户名；最长 30 天，由系统管理员同意后生效',
        states: { requested: '待同意', approved: '已同意', rejected: '未同意', revoked: '已撤销' },
    },
    login: { totp: '动态口令 (6 位)', totp_required: '请输入动态口令', totp_invalid: '动态口令错误' },
    duty: {
        title: '请先完成安全设置',
        password_title: '修改密码',
        password_hint: '首次登录、密码被重置或已超过有效期，须先设置新密码（至少 %{min} 位，含大写字母、小写字母、数字、符号中的至少 3 类，不能与最近 5 次相同）。',
        current: '当前密码',
        next: '新密码',
        confirm: '再次输入新密码',
        mismatch: '两次输入的新密码不一致',
        save: '保存新密码',
        saved: '密码已修改',
        totp_title: '绑定动态口令 (TOTP)',
        totp_hint: '您的账号须使用双因素认证。请在手机验证器（如 Google Authenticator、Microsoft Authenticator）中添加以下密钥，然后输入显示的 6 位口令。',
        totp_start: '获取密钥',
        secret: '密钥',
        uri: 'otpauth 地址',
        code: '6 位动态口令',
        enable: '绑定',
        enabled: '动态口令已绑定',
        logout: '退出登录',
    },
    audit: { title: '审计日志', from: '起始时间', to: '截止时间', details: '详情', search: '搜索' },
    policy: {
        title: '安全策略',
        password: '密码：至少 %{min} 位，至少 %{kinds} 类字符，%{days} 天须更换，不得重复最近 %{history} 次',
        lockout: '登录失败 %{failures} 次锁定 %{minutes} 分钟',
        session: '访问令牌 %{access} 分钟，空闲 %{idle} 分钟超时，最长 %{hours} 小时',
        totp: '须双因素认证的层级：%{levels}；角色：%{roles}',
        audit: '审计日志保存至少 %{days} 天，只可追加',
    },
};

export const securityAppEn: typeof securityAppZh = {
    menu: { audit: 'Audit trail', accounts: 'Accounts', policy: 'Security policy', delegations: 'Delegations' },
    delegation: {
        approve: 'Approve', reject: 'Refuse', revoke: 'Revoke',
        delegate_help: 'Username of an account of the same unit and level; at most 30 days, in force once the system administrator approves',
        states: { requested: 'Requested', approved: 'Approved', rejected: 'Refused', revoked: 'Revoked' },
    },
    login: { totp: 'One-time code (6 digits)', totp_required: 'Enter your one-time code', totp_invalid: 'Wrong one-time code' },
    duty: {
        title: 'Security set-up first',
        password_title: 'Change your password',
        password_hint: 'First login, reset or expired password: choose a new one (at least %{min} characters, three of upper case, lower case, digits and symbols, none of your last 5).',
        current: 'Current password',
        next: 'New password',
        confirm: 'New password again',
        mismatch: 'The two new passwords differ',
        save: 'Save the new password',
        saved: 'Password changed',
        totp_title: 'Set up a one-time code (TOTP)',
        totp_hint: 'Your account needs a second factor. Add this key to an authenticator app, then enter the 6-digit code it shows.',
        totp_start: 'Get a key',
        secret: 'Key',
        uri: 'otpauth address',
        code: '6-digit code',
        enable: 'Enable',
        enabled: 'One-time code enabled',
        logout: 'Log out',
    },
    audit: { title: 'Audit trail', from: 'From', to: 'To', details: 'Details', search: 'Search' },
    policy: {
        title: 'Security policy',
        password: 'Passwords: at least %{min} characters of %{kinds} kinds, changed every %{days} days, none of the last %{history}',
        lockout: 'Locked for %{minutes} minutes after %{failures} failed logins',
        session: 'Access token %{access} min, idle timeout %{idle} min, at most %{hours} h',
        totp: 'Second factor required for levels: %{levels}; roles: %{roles}',
        audit: 'Audit trail kept at least %{days} days, append-only',
    },
};

export const securityResourcesZh = {
    delegations: {
        name: '授权代理',
        fields: { delegator: '授权人', delegate: '被授权人', startsAt: '开始时间', endsAt: '结束时间', reason: '事由', state: '状态', decidedBy: '处理人' },
    },
    'audit-entries': {
        name: '审计日志',
        fields: { at: '时间', actorUsername: '操作人', actorLevel: '层级', onBehalfOfUsername: '被代理人', ip: 'IP 地址', action: '操作', targetType: '对象类型', targetId: '对象', outcome: '结果', q: '搜索' },
    },
};

export const securityResourcesEn: typeof securityResourcesZh = {
    delegations: {
        name: 'Delegations',
        fields: { delegator: 'Delegator', delegate: 'Delegate', startsAt: 'Starts', endsAt: 'Ends', reason: 'Reason', state: 'State', decidedBy: 'Decided by' },
    },
    'audit-entries': {
        name: 'Audit entries',
        fields: { at: 'When', actorUsername: 'Who', actorLevel: 'Level', onBehalfOfUsername: 'On behalf of', ip: 'IP address', action: 'Action', targetType: 'Target type', targetId: 'Target', outcome: 'Outcome', q: 'Search' },
    },
};
