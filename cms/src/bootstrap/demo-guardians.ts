import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';

type DemoInvitations = { kindergarten: string; class: string; confirmed: number; opened: number };

const CHILD = 'api::child.child';
const INVITATION = 'api::guardian-invitation.guardian-invitation';

/**
 * The quick start's guardian confirmations (config/demo.json `guardianInvitations`, docs/guardians.md):
 * every demo child of the listed classes gets an invitation, the first `confirmed` of each class (in name
 * order) as confirmed online by their father, the next `opened` as opened; the rest wait. So 确认进度 has
 * figures at a first look. Only with the demo children; idempotent: a child with an invitation is skipped.
 */
export async function seedDemoInvitations(strapi: Core.Strapi): Promise<number> {
  const plan = readDomainConfig<{ guardianInvitations?: DemoInvitations[] }>('demo.json').guardianInvitations ?? [];
  const invitations = strapi.service(INVITATION) as any;
  let created = 0;
  for (const entry of plan) {
    const kindergarten = await strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: entry.kindergarten }, select: ['id'] });
    const schoolClass = kindergarten && (await strapi.db.query('api::school-class.school-class').findOne({ where: { name: entry.class, kindergarten: kindergarten.id }, select: ['id', 'documentId', 'name'] }));
    if (!schoolClass) continue;
    const children = await strapi.db.query(CHILD).findMany({ where: { schoolClass: schoolClass.id }, populate: { guardians: true }, orderBy: { pinyinKey: 'asc' } });
    for (const [index, child] of children.entries()) {
      if (await strapi.db.query(INVITATION).findOne({ where: { childId: child.documentId }, select: ['id'] })) continue;
      const row = await invitations.create({ ...child, schoolClass }, '演示数据');
      created += 1;
      const at = new Date(Date.now() - (index + 1) * 3_600_000);
      if (index < entry.confirmed) {
        const father = child.guardians?.[0];
        await strapi.db.query(INVITATION).update({
          where: { id: row.id },
          data: { state: 'confirmed', openedAt: at, confirmedAt: at, guardianName: father?.name ?? null, confirmation: { typedName: father?.name ?? '', guardianIndex: 0, at: at.toISOString(), ip: null, device: '演示数据' } },
        });
      } else if (index < entry.confirmed + entry.opened) {
        await strapi.db.query(INVITATION).update({ where: { id: row.id }, data: { state: 'opened', openedAt: at } });
      }
    }
  }
  return created;
}
