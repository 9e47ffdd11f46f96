/**
 * The children's import looks a code table's values up once per version of the table
 * (cms/src/domain/import/columns.ts codeOf, cms/src/domain/dictionaries.ts entry): a code added,
 * renamed or retired in the panel (代码表维护, merged in by cms/src/domain/config-overlay.ts) is
 * seen by the next lookup, as it was when every row searched the table.
 */
import { loadOverlay, type CodeRow } from '../../cms/src/domain/config-overlay';
import { codeProblem, entry } from '../../cms/src/domain/dictionaries';
import { codeOf } from '../../cms/src/domain/import/columns';

/** Just enough of Strapi for loadOverlay: the panel's code rows, nothing else edited. */
function strapiWith(rows: Partial<CodeRow>[]): any {
  return {
    db: {
      query: (uid: string) => ({
        findMany: async () => (uid === 'api::code-table.code-value' ? rows.map((row, i) => ({ sortOrder: null, retired: false, added: false, ...row, id: i + 1 })) : []),
        findOne: async () => null,
      }),
    },
  };
}

afterAll(() => loadOverlay(strapiWith([])));

test('a code added in the panel is read by the next import, its label too', async () => {
  await loadOverlay(strapiWith([]));
  expect(codeOf('ethnicity', '汉族')).toBe('01');
  expect(codeOf('ethnicity', '1')).toBe('01'); // the leading zero a CSV conversion drops
  expect(codeOf('ethnicity', '测试族')).toBeUndefined();
  expect(codeOf('ethnicity', '99')).toBeUndefined();
  expect(codeProblem('ethnicity', '99')).toBe('unknown');

  await loadOverlay(strapiWith([{ tableKey: 'ethnicity', code: '99', name: '测试族', added: true }]));
  expect(codeOf('ethnicity', '测试族')).toBe('99');
  expect(codeOf('ethnicity', '99')).toBe('99');
  expect(codeOf('ethnicity', '99 测试族')).toBe('99');
  expect(entry('ethnicity', '99')?.name).toBe('测试族');
  expect(codeProblem('ethnicity', '99')).toBeNull();
});

test('a label renamed or a code retired in the panel is seen at once', async () => {
  await loadOverlay(strapiWith([{ tableKey: 'guardianRelation', code: '1', name: '爸爸' }]));
  expect(codeOf('guardianRelation', '爸爸')).toBe('1');
  expect(codeOf('guardianRelation', '父亲')).toBeUndefined();
  expect(entry('guardianRelation', '1')?.name).toBe('爸爸');

  await loadOverlay(strapiWith([{ tableKey: 'guardianRelation', code: '1', name: '父亲', retired: true }]));
  expect(codeOf('guardianRelation', '爸爸')).toBeUndefined();
  expect(codeOf('guardianRelation', '父亲')).toBe('1');
  expect(codeProblem('guardianRelation', '1')).toBe('retired');
  expect(codeProblem('guardianRelation', '1', '1')).toBeNull(); // kept on a record that has it

  await loadOverlay(strapiWith([]));
  expect(codeProblem('guardianRelation', '1')).toBeNull();
  expect(codeOf('guardianRelation', '父亲')).toBe('1');
});
