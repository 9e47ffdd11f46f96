import type { Core } from '@strapi/strapi';
import { readDomainConfig } from '../runtime/paths';

type DemoChild = {
  kindergarten: string;
  class: string;
  name: string;
  sex: 'male' | 'female';
  birthDate: string;
  region: string;
  father: string;
  mother: string;
  leftBehind?: string;
  migrant?: boolean;
  disabled?: boolean;
  register?: boolean;
};

const CHILD = 'api::child.child';

/**
 * The quick start's demo children (config/demo.json `children`), so that a first look at the panel
 * finds classes with children, 学籍号, flags and a record awaiting review. Only where asked
 * (SEED_DEMO_CHILDREN=true: `npm start` and `npm run seed:demo`); the tests start without them, so
 * their hand counts stay theirs. Every child goes through the document service like one entered in
 * the panel (rules, duplicate check, encryption, history), and `register` through the kindergarten's
 * review, which issues the 学籍号. Idempotent: a child whose ID number is already held is skipped.
 */
export async function seedDemoChildren(strapi: Core.Strapi): Promise<number> {
  const children = readDomainConfig<{ children?: DemoChild[] }>('demo.json').children ?? [];
  const identity = strapi.plugin('student-id').service('identity');
  const duplicates = strapi.plugin('dup-check').service('duplicates');
  const residentId = (region: string, birthDate: string, sequence: number) => {
    const first17 = `${region}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
    return `${first17}${identity.gb11643CheckCharacter(first17)}`;
  };
  let created = 0;
  for (const [index, child] of children.entries()) {
    // odd sequences are boys', even ones girls' (GB 11643)
    const sequence = 100 + index * 2 + (child.sex === 'male' ? 1 : 0);
    const idNumber = residentId(child.region, child.birthDate, sequence);
    if (await strapi.db.query(CHILD).findOne({ where: { idKey: duplicates.idKey('1', idNumber) }, select: ['id'] })) continue;
    const kindergarten = await strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code: child.kindergarten }, select: ['id'] });
    const schoolClass = kindergarten && (await strapi.db.query('api::school-class.school-class').findOne({ where: { name: child.class, kindergarten: kindergarten.id }, select: ['documentId'] }));
    if (!schoolClass) continue;
    const parentBirth = (year: number) => `${year}0${1 + (index % 9)}1${index % 10}`;
    const record = await strapi.documents(CHILD as any).create({
      data: {
        name: child.name, sex: child.sex, birthDate: child.birthDate, idType: '1', idNumber,
        birthPlace: child.region, nativePlace: '福建', ethnicity: '01', nationality: '156', overseasChinese: '00',
        health: child.disabled ? '40' : '10', householdRegion: child.region, householdType: child.migrant ? '2' : '1',
        address: '福建省示例路 1 号', phone: '13800000000', enrolledOn: '2026-09-01', enrollmentMode: '1', onlyChild: index % 3 !== 0,
        leftBehind: child.leftBehind ?? '0', migrant: Boolean(child.migrant), disabled: Boolean(child.disabled),
        disabilityType: child.disabled ? '2' : null, schoolClass: schoolClass.documentId,
        guardians: [
          // phones: the fact a guardian gives with an invitation code (docs/guardians.md)
          { name: child.father, relation: '1', idType: '1', idNumber: residentId(child.region, parentBirth(1990).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3'), 301 + index * 2), phone: `1390000${String(1000 + index)}` },
          { name: child.mother, relation: '2', idType: '1', idNumber: residentId(child.region, parentBirth(1992).replace(/(\d{4})(\d{2})(\d{2})/, '$1-$2-$3'), 302 + index * 2), phone: `1370000${String(1000 + index)}` },
        ],
      } as any,
    });
    created += 1;
    if (child.register) {
      const reviewer = await strapi.db.query('plugin::users-permissions.user').findOne({ where: { level: 'institution', institutionCode: child.kindergarten } });
      if (reviewer) await strapi.service(CHILD as any).register(reviewer, record.documentId, { acknowledgeCandidates: true });
    }
  }
  return created;
}
