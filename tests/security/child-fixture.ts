import type { Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

/** A child (draft 学籍) of the demo kindergarten in its class 小一班, with a resident ID number; for the security suites. */
export async function draftChild(kindergarten: Session, sequence = 101): Promise<{ id: string; idNumber: string }> {
  const classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
  const idNumber = residentId('350502', '20220315', String(sequence).padStart(3, '0'));
  const created = await kindergarten.post('/api/children', {
    data: {
      name: `安全测试${sequence}`, idType: '1', idNumber,
      birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: '350502', householdType: '2', address: '鲤城区中山路 1 号', phone: '13800000000', enrolledOn: '2025-09-01',
      enrollmentMode: '1', onlyChild: true, schoolClass: classId,
      guardians: [{ name: '监护人', relation: '1', idType: '1', idNumber: residentId('350502', '19900101', String(sequence + 1).padStart(3, '0')), phone: '13800000001' }],
    },
  }).expect(201);
  return { id: created.body.data.documentId, idNumber };
}
