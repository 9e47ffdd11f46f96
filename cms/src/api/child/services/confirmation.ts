import type { Core } from '@strapi/strapi';
import { errors } from '@strapi/utils';
import { entry, yesNoName } from '../../../domain/dictionaries';
import { regionNames } from '../../../domain/region-names';
import { fieldLabel } from '../../../domain/messages';
import { countFullIdNumbers, markRevealedInRequest } from '../../../security/pii-read-audit';
import { escapeHtml as escape } from '../../../utils/html';

const CHILD = 'api::child.child';
const CLASS = 'api::school-class.school-class';

const yesNo = (value: unknown) => yesNoName(Boolean(value));
const coded = (table: string, code: unknown) => (code ? entry(table, code)?.name ?? String(code) : '');

/** The rows of the form: [field, value as the guardian reads it]. */
function rows(child: any, places: Map<string, string>): [string, string][] {
  // places by name only, as the guardian reads them (the code is in the record and the exports)
  const place = (code: string) => (code ? places.get(code) ?? code : '');
  const label = (field: string) => fieldLabel(field, 'children');
  return [
    ['name', child.name], ['formerName', child.formerName], ['sex', coded('sex', child.sex)], ['birthDate', child.birthDate],
    ['birthPlace', place(child.birthPlace)], ['nativePlace', /^\d{6}$/.test(child.nativePlace ?? '') ? place(child.nativePlace) : child.nativePlace], ['ethnicity', coded('ethnicity', child.ethnicity)],
    ['nationality', coded('nationality', child.nationality)], ['idType', coded('idType', child.idType)], ['idNumber', child.idNumber ?? child.idNumberMasked],
    ['overseasChinese', coded('overseasChinese', child.overseasChinese)], ['health', coded('health', child.health)], ['bloodType', coded('bloodType', child.bloodType)],
    ['householdRegion', place(child.householdRegion)], ['householdType', coded('householdType', child.householdType)], ['address', child.address], ['phone', child.phone],
    ['enrolledOn', child.enrolledOn], ['enrollmentMode', coded('enrollmentMode', child.enrollmentMode)], ['onlyChild', yesNo(child.onlyChild)],
    ['leftBehind', coded('leftBehind', child.leftBehind)], ['migrant', yesNo(child.migrant)], ['orphan', yesNo(child.orphan)], ['martyrChild', yesNo(child.martyrChild)],
    ['disabled', yesNo(child.disabled)], ['disabilityType', coded('disability', child.disabilityType)], ['needsAid', yesNo(child.needsAid)], ['studentNumber', child.studentNumber ?? child.studentNumberMasked ?? '（待生成）'],
  ].map(([field, value]) => [label(field), String(value ?? '')]);
}

/** The guardian's invitation on the form (docs/guardians.md): its code and QR code, to confirm online instead of on paper. */
function invitationBlock(invitation?: { code: string; qr: string }): string {
  if (!invitation) return '';
  return `<div class="online"><div class="qr">${invitation.qr}</div><p>也可在线确认：用手机扫描二维码，或打开本系统的家长确认页（/guardian），输入邀请码 <b>${escape(invitation.code)}</b> 和监护人手机号码后 4 位。</p></div>`;
}

function page(child: any, kindergartenName: string, className: string, places: Map<string, string>, invitation?: { code: string; qr: string }): string {
  const cells = rows(child, places);
  const body: string[] = [];
  for (let i = 0; i < cells.length; i += 2) {
    const [a, b] = [cells[i], cells[i + 1] ?? ['', '']];
    body.push(`<tr><th>${escape(a[0])}</th><td>${escape(a[1])}</td><th>${escape(b[0])}</th><td>${escape(b[1])}</td></tr>`);
  }
  const guardians = (child.guardians ?? []).map((g: any) =>
    `<tr><td>${escape(g.name)}</td><td>${escape(coded('guardianRelation', g.relation))}</td><td>${escape(coded('idType', g.idType))}</td><td>${escape(g.idNumber ?? g.idNumberMasked)}</td><td>${escape(g.phone)}</td><td>${escape(g.employer)}</td></tr>`).join('');
  return `<section class="sheet">
<h1>学前教育学籍基础信息确认表</h1>
<p class="meta">幼儿园：${escape(kindergartenName)}　　班级：${escape(className)}</p>
<table class="fields">${body.join('')}</table>
<h2>家庭成员或监护人</h2>
<table class="guardians"><tr><th>姓名</th><th>关系</th><th>证件类型</th><th>证件号码</th><th>联系电话</th><th>工作单位</th></tr>${guardians}</table>
<p class="note">请监护人核对以上信息。信息有误的，请在空白处注明并提供户口簿、身份证件等原件，由幼儿园核实后更正。</p>
<div class="sign"><span>监护人签字：________________</span><span>日期：______年____月____日</span></div>
<div class="sign"><span>经办人：________________</span><span>幼儿园（盖章）</span></div>
${invitationBlock(invitation)}
</section>`;
}

const STYLE = `@page { size: A4; margin: 15mm; }
body { font-family: "Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", sans-serif; font-size: 11pt; color: #000; }
.sheet { page-break-after: always; } .sheet:last-child { page-break-after: auto; }
h1 { text-align: center; font-size: 16pt; margin: 0 0 4mm; } h2 { font-size: 12pt; margin: 5mm 0 2mm; }
.meta { margin: 0 0 3mm; } table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #000; padding: 1.6mm 2mm; text-align: left; vertical-align: top; }
.fields th { width: 17%; background: #f2f2f2; font-weight: normal; } .fields td { width: 33%; }
.guardians th { background: #f2f2f2; font-weight: normal; }
.online { display: flex; gap: 4mm; align-items: center; margin-top: 6mm; font-size: 9.5pt; } .qr svg { width: 28mm; height: 28mm; }
.note { font-size: 9.5pt; margin: 4mm 0; } .sign { display: flex; justify-content: space-between; margin-top: 8mm; }`;

/**
 * 学前教育学籍基础信息确认表: a printable A4 page per child, which the guardians check and sign;
 * for one child or for a whole class. Full ID numbers appear only for the levels that may see them,
 * and each form that shows them is a `pii.read` in the audit trail (cms/src/security/pii-read-audit.ts).
 */
export default ({ strapi }: { strapi: Core.Strapi }) => ({
  async forChild(user: any, documentId: string) {
    const child: any = await strapi.documents(CHILD).findOne({ documentId, populate: ['guardians', 'schoolClass'] });
    if (!child) throw new errors.NotFoundError('Not Found');
    const full = await strapi.service('api::child.child').withFullNumbers(user, child);
    // the printed form shows full ID numbers to the levels that may see them: audited as a read
    markRevealedInRequest(strapi, { targetType: 'children', targetId: documentId, count: countFullIdNumbers([full]) });
    return this.render([full], child.schoolClass?.name ?? '', child.institutionCode);
  },

  async forClass(user: any, classId: string) {
    const schoolClass: any = await strapi.documents(CLASS).findOne({ documentId: classId, populate: ['kindergarten'] });
    if (!schoolClass) throw new errors.NotFoundError('Not Found');
    const children = await strapi.documents(CHILD).findMany({ filters: { schoolClass: { documentId: classId } }, populate: ['guardians'], sort: 'name:asc' } as any);
    const full = await Promise.all(children.map((c) => strapi.service('api::child.child').withFullNumbers(user, c)));
    markRevealedInRequest(strapi, { targetType: 'school-classes', targetId: classId, count: countFullIdNumbers(full) });
    return this.render(full, schoolClass.name, schoolClass.kindergarten?.code);
  },

  async render(children: any[], className: string, institutionCode: string) {
    const kindergarten = await strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: institutionCode }, select: ['name'] });
    const places = await regionNames(strapi, children.flatMap((child) => [child.birthPlace, child.householdRegion, child.nativePlace]));
    const invitations = await strapi.service('api::guardian-invitation.guardian-invitation').liveFor(children.map((child) => child.documentId));
    const pages = children.map((child) => page(child, kindergarten?.name ?? '', className, places, invitations.get(child.documentId))).join('\n');
    return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>学前教育学籍基础信息确认表</title><style>${STYLE}</style></head><body>${pages || '<p>该班级暂无幼儿。</p>'}</body></html>`;
  },
});
