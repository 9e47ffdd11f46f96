import { useEffect, useState, type CSSProperties, type ReactNode } from 'react';

/**
 * 学籍信息家长确认 — the guardians' page (docs/guardians.md), mobile first, served at /guardian.
 * A guardian enters the invitation code (or scans the QR code printed on the 确认表, which carries it
 * in the link's fragment) and the last digits of a guardian's phone, then checks each field of the
 * child's form: 无误, or 有误 with the right value (key information also with a photo of the proof),
 * may correct their own contact, and signs by typing their name. The server decides everything:
 * which fields may be corrected and how, what is masked; this page only shows its answers.
 */

type Option = { code: string; name: string };
type Field = { field: string; label: string; value: string; route: 'key' | 'plain' | null; proofRequired: boolean; options?: Option[] };
type Correction = { id: string; typeName: string; state: string; stateName?: string; canAddProof?: boolean; changes: { field: string; label: string; to: unknown }[]; evidence?: number; proofRequired: boolean };
type Form = {
    id: string; name: string; className: string; kindergartenName: string; state: string; proof: string;
    fields: Field[]; guardians: { name: string; relation: string; idNumber: string; phone: string; employer: string; mine: boolean }[];
    confirmation: { typedName: string; at: string } | null; corrections: Correction[];
};
type Child = { id: string; name: string; className: string; state: string };

const TOKEN = 'guardian-token';

async function call<T>(path: string, options: { method?: string; body?: unknown; files?: File[] } = {}): Promise<T> {
    const token = sessionStorage.getItem(TOKEN);
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.files) {
        const form = new FormData();
        options.files.forEach((file) => form.append('files', file));
        body = form;
    } else if (options.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(options.body);
    }
    const response = await fetch(path, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body });
    const json = await response.json().catch(() => ({}));
    if (!response.ok) {
        if (response.status === 401 && !path.endsWith('/redeem')) sessionStorage.removeItem(TOKEN);
        throw new Error(json?.error?.message ?? '操作失败，请稍后再试');
    }
    return json as T;
}

const styles: Record<string, CSSProperties> = {
    page: { maxWidth: 560, margin: '0 auto', padding: '12px 12px 48px', boxSizing: 'border-box' },
    card: { background: '#fff', borderRadius: 12, padding: 16, margin: '12px 0', boxShadow: '0 1px 3px rgba(0,0,0,.08)' },
    h1: { fontSize: 20, margin: '8px 0 4px' },
    label: { display: 'block', fontSize: 14, color: '#555', margin: '12px 0 4px' },
    input: { width: '100%', boxSizing: 'border-box', fontSize: 17, padding: '10px 12px', border: '1px solid #c4c9d0', borderRadius: 8 },
    primary: { width: '100%', fontSize: 17, padding: '12px', border: 0, borderRadius: 8, background: '#1565c0', color: '#fff', marginTop: 16 },
    row: { borderTop: '1px solid #eef0f3', padding: '10px 0' },
    small: { fontSize: 13, color: '#666' },
    error: { color: '#c62828', fontSize: 14, marginTop: 8 },
    ok: { color: '#2e7d32' },
};

const Button = ({ children, active, onClick, name }: { children: ReactNode; active?: boolean; onClick: () => void; name?: string }) => (
    <button type="button" name={name} onClick={onClick} style={{ fontSize: 15, padding: '6px 14px', marginLeft: 8, borderRadius: 16, border: `1px solid ${active ? '#1565c0' : '#c4c9d0'}`, background: active ? '#e3f2fd' : '#fff', color: active ? '#1565c0' : '#333' }}>
        {children}
    </button>
);

function Redeem({ onDone }: { onDone: (children: Child[]) => void }) {
    const [code, setCode] = useState(() => new URLSearchParams(window.location.hash.slice(1)).get('code') ?? '');
    const [fact, setFact] = useState('');
    const [error, setError] = useState('');
    const [busy, setBusy] = useState(false);
    const submit = async () => {
        setBusy(true);
        setError('');
        try {
            const answer = await call<{ token: string; children: Child[] }>('/api/guardian/redeem', { body: { code, fact } });
            sessionStorage.setItem(TOKEN, answer.token);
            // the code leaves the address bar once used
            history.replaceState(null, '', window.location.pathname);
            onDone(answer.children);
        } catch (e) {
            setError((e as Error).message);
        } finally {
            setBusy(false);
        }
    };
    return (
        <div style={styles.card}>
            <h1 style={styles.h1}>学籍信息家长确认</h1>
            <p style={styles.small}>请输入幼儿园发放的邀请码（印在《学前教育学籍基础信息确认表》上），以及幼儿园登记的监护人手机号码后 4 位。</p>
            <label style={styles.label} htmlFor="code">邀请码</label>
            <input id="code" name="code" style={styles.input} value={code} autoComplete="off" onChange={(e) => setCode(e.target.value)} placeholder="例如 ABCD-EF23" />
            <label style={styles.label} htmlFor="fact">监护人手机号码后 4 位</label>
            <input id="fact" name="fact" style={styles.input} value={fact} inputMode="numeric" maxLength={4} onChange={(e) => setFact(e.target.value)} />
            {error && <div role="alert" style={styles.error}>{error}</div>}
            <button type="button" name="redeem" style={styles.primary} disabled={busy} onClick={submit}>进入确认</button>
        </div>
    );
}

function ChildForm({ id, onBack }: { id: string; onBack?: () => void }) {
    const [form, setForm] = useState<Form | null>(null);
    const [marks, setMarks] = useState<Record<string, 'confirmed' | 'corrected'>>({});
    const [values, setValues] = useState<Record<string, string>>({});
    const [contact, setContact] = useState<{ guardianPhone?: string; guardianEmployer?: string }>({});
    const [editContact, setEditContact] = useState(false);
    const [reason, setReason] = useState('');
    const [typedName, setTypedName] = useState('');
    const [error, setError] = useState('');
    const [notice, setNotice] = useState('');
    const load = () => call<{ data: Form }>(`/api/guardian/children/${id}`).then((answer) => setForm(answer.data)).catch((e) => setError(e.message));
    useEffect(() => { load(); }, [id]);
    if (!form) return <div style={styles.card}>{error || '正在加载…'}</div>;
    const mine = form.guardians.find((g) => g.mine);
    const wrongFields = form.fields.filter((f) => marks[f.field] === 'corrected' && f.route);
    const done = form.state === 'confirmed';

    const propose = async () => {
        setError('');
        setNotice('');
        const changes: Record<string, string> = {};
        for (const field of wrongFields) if (values[field.field]) changes[field.field] = values[field.field];
        if (editContact) {
            if (contact.guardianPhone && contact.guardianPhone !== mine?.phone) changes.guardianPhone = contact.guardianPhone;
            if (contact.guardianEmployer && contact.guardianEmployer !== mine?.employer) changes.guardianEmployer = contact.guardianEmployer;
        }
        if (!Object.keys(changes).length) return setError('请在标为“有误”的项目中填写正确的内容');
        try {
            await call(`/api/guardian/children/${id}/corrections`, { body: { changes, reason } });
            setNotice('更正已提交，等待幼儿园审核。涉及关键信息的，请上传证明材料照片。');
            setValues({});
            setEditContact(false);
            await load();
        } catch (e) {
            setError((e as Error).message);
        }
    };
    const upload = async (requestId: string, files: FileList | null) => {
        if (!files?.length) return;
        setError('');
        try {
            await call(`/api/guardian/children/${id}/corrections/${requestId}/proof`, { files: [...files] });
            setNotice('证明材料已上传');
            await load();
        } catch (e) {
            setError((e as Error).message);
        }
    };
    const confirm = async () => {
        setError('');
        try {
            await call(`/api/guardian/children/${id}/confirm`, { body: { typedName, review: Object.fromEntries(form.fields.map((f) => [f.field, marks[f.field] === 'corrected' ? 'corrected' : 'confirmed'])) } });
            await load();
        } catch (e) {
            setError((e as Error).message);
        }
    };

    return (
        <>
            <div style={styles.card}>
                {onBack && <button type="button" onClick={onBack} style={{ border: 0, background: 'none', color: '#1565c0', padding: 0 }}>‹ 返回</button>}
                <h1 style={styles.h1}>{form.name}</h1>
                <div style={styles.small}>{form.kindergartenName} · {form.className}</div>
                {done && <p style={styles.ok} role="status">已于 {new Date(form.confirmation!.at).toLocaleString('zh-CN')} 由 {form.confirmation!.typedName} 电子确认。</p>}
            </div>
            <div style={styles.card}>
                <strong>学籍基础信息</strong>
                <p style={styles.small}>请逐项核对。信息有误的，选择“有误”并填写正确内容；姓名、性别、出生日期、证件信息须同时上传{form.proof}。</p>
                {form.fields.map((f) => (
                    <div key={f.field} style={styles.row} data-field={f.field}>
                        <div style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap' }}>
                            <div style={{ flex: '1 1 60%' }}>
                                <div style={styles.small}>{f.label}</div>
                                <div style={{ fontSize: 16, wordBreak: 'break-all' }}>{f.value || '—'}</div>
                            </div>
                            {!done && (
                                <div>
                                    <Button name={`ok-${f.field}`} active={marks[f.field] !== 'corrected'} onClick={() => setMarks({ ...marks, [f.field]: 'confirmed' })}>无误</Button>
                                    {f.route && <Button name={`wrong-${f.field}`} active={marks[f.field] === 'corrected'} onClick={() => setMarks({ ...marks, [f.field]: 'corrected' })}>有误</Button>}
                                </div>
                            )}
                        </div>
                        {!done && marks[f.field] === 'corrected' && f.route && (
                            <div>
                                <label style={styles.label} htmlFor={`value-${f.field}`}>正确的{f.label}{f.proofRequired ? '（须上传证明）' : ''}</label>
                                {f.options ? (
                                    <select id={`value-${f.field}`} style={styles.input} value={values[f.field] ?? ''} onChange={(e) => setValues({ ...values, [f.field]: e.target.value })}>
                                        <option value="">请选择</option>
                                        {f.options.map((o) => <option key={o.code} value={o.code}>{o.name}</option>)}
                                    </select>
                                ) : (
                                    <input id={`value-${f.field}`} style={styles.input} value={values[f.field] ?? ''} onChange={(e) => setValues({ ...values, [f.field]: e.target.value })} />
                                )}
                            </div>
                        )}
                    </div>
                ))}
            </div>
            <div style={styles.card}>
                <strong>家庭成员或监护人</strong>
                {form.guardians.map((g) => (
                    <div key={g.name} style={styles.row}>
                        <div>{g.name}（{g.relation}）{g.mine && <span style={styles.small}> · 本人</span>}</div>
                        <div style={styles.small}>证件号码 {g.idNumber || '—'} · 电话 {g.phone || '—'}{g.employer ? ` · ${g.employer}` : ''}</div>
                    </div>
                ))}
                {!done && !editContact && <Button name="edit-contact" onClick={() => { setEditContact(true); setContact({ guardianPhone: mine?.phone, guardianEmployer: mine?.employer }); }}>修改我的联系方式</Button>}
                {!done && editContact && (
                    <div>
                        <label style={styles.label} htmlFor="guardianPhone">我的联系电话</label>
                        <input id="guardianPhone" style={styles.input} inputMode="tel" value={contact.guardianPhone ?? ''} onChange={(e) => setContact({ ...contact, guardianPhone: e.target.value })} />
                        <label style={styles.label} htmlFor="guardianEmployer">我的工作单位</label>
                        <input id="guardianEmployer" style={styles.input} value={contact.guardianEmployer ?? ''} onChange={(e) => setContact({ ...contact, guardianEmployer: e.target.value })} />
                    </div>
                )}
            </div>
            {!done && (wrongFields.length > 0 || editContact) && (
                <div style={styles.card}>
                    <label style={styles.label} htmlFor="reason">说明（可选）</label>
                    <input id="reason" style={styles.input} value={reason} onChange={(e) => setReason(e.target.value)} />
                    <button type="button" name="propose" style={styles.primary} onClick={propose}>提交更正，由幼儿园审核</button>
                </div>
            )}
            {form.corrections.length > 0 && (
                <div style={styles.card}>
                    <strong>我提交的更正</strong>
                    {form.corrections.map((c) => (
                        <div key={c.id} style={styles.row} data-request={c.id}>
                            <div>{c.typeName} · {c.stateName ?? c.state}</div>
                            <div style={styles.small}>{c.changes.map((change) => `${change.label}：${String(change.to ?? '')}`).join('；')}</div>
                            {c.proofRequired && (
                                <div style={styles.small}>
                                    证明材料：{c.evidence ? `已上传 ${c.evidence} 份` : '尚未上传'}
                                    {c.canAddProof && (
                                        <input type="file" name={`proof-${c.id}`} accept="image/*,application/pdf" capture="environment" onChange={(e) => upload(c.id, e.target.files)} style={{ display: 'block', marginTop: 6 }} />
                                    )}
                                </div>
                            )}
                        </div>
                    ))}
                </div>
            )}
            {!done && (
                <div style={styles.card}>
                    <strong>电子确认</strong>
                    <p style={styles.small}>本人已核对以上信息{wrongFields.length ? '，并对有误项目提出更正' : ''}。输入监护人姓名完成电子签名；确认时间、设备和网络地址将被记录。</p>
                    <label style={styles.label} htmlFor="typedName">监护人姓名</label>
                    <input id="typedName" name="typedName" style={styles.input} value={typedName} onChange={(e) => setTypedName(e.target.value)} />
                    <button type="button" name="confirm" style={styles.primary} onClick={confirm}>确认并签名</button>
                </div>
            )}
            {notice && <div role="status" style={{ ...styles.card, ...styles.ok }}>{notice}</div>}
            {error && <div role="alert" style={{ ...styles.card, ...styles.error }}>{error}</div>}
        </>
    );
}

export function GuardianApp() {
    const [children, setChildren] = useState<Child[] | null>(null);
    const [current, setCurrent] = useState<string | null>(null);
    useEffect(() => {
        if (!sessionStorage.getItem(TOKEN) || window.location.hash.includes('code=')) return;
        call<{ data: Child[] }>('/api/guardian/children').then((answer) => setChildren(answer.data)).catch(() => setChildren(null));
    }, []);
    const shown = current ?? (children?.length === 1 ? children[0].id : null);
    return (
        <div style={styles.page}>
            {!children && <Redeem onDone={setChildren} />}
            {children && shown && <ChildForm id={shown} onBack={children.length > 1 ? () => setCurrent(null) : undefined} />}
            {children && !shown && (
                <div style={styles.card}>
                    <h1 style={styles.h1}>请选择幼儿</h1>
                    {children.map((c) => (
                        <button key={c.id} type="button" style={{ ...styles.primary, background: '#fff', color: '#1565c0', border: '1px solid #1565c0' }} onClick={() => setCurrent(c.id)}>{c.name} · {c.className}</button>
                    ))}
                    <button type="button" style={styles.primary} onClick={() => setChildren(null)}>添加另一名幼儿的邀请码</button>
                </div>
            )}
        </div>
    );
}
