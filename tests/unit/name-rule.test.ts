/**
 * The name rule of the likely-duplicate check (plugins/dup-check duplicates.ts): which names of two
 * children born the same day, of the same sex, make them likely the same child; and names sorted in
 * pinyin order (cms/src/domain/child-rules.ts).
 */
import { nameReason, nearlySpelled } from '../../plugins/dup-check/server/src/services/duplicates';
import { inPinyinOrder } from '../../cms/src/domain/child-rules';

test('a character doubled or dropped beside one that sounds alike is a near spelling', () => {
  expect(nearlySpelled('张晓明', '张晓鸣明')).toBe(true);
  expect(nearlySpelled('李伟伟', '李伟')).toBe(true);
  expect(nearlySpelled('蔡子', '蔡子梓')).toBe(true); // zi, zi
});

test('a character added or dropped in a name that keeps three characters is a near spelling', () => {
  expect(nearlySpelled('欧阳娜娜', '欧阳娜')).toBe(true);
  expect(nearlySpelled('司马晓明', '司马明')).toBe(true);
  expect(nearlySpelled('司马明', '司明')).toBe(false); // leaves two
  expect(nearlySpelled('张晓明', '张晓明亮')).toBe(true);
});

test('a two-character name and a three-character one built on it are different children', () => {
  expect(nearlySpelled('谢浩', '谢浩然')).toBe(false);
  expect(nearlySpelled('王萱', '王子萱')).toBe(false);
  expect(nearlySpelled('李子', '李子豪')).toBe(false);
});

test('one character replaced by one that sounds alike (folded zh/z, ch/c, sh/s, l/n, -ng/-n) is a near spelling', () => {
  expect(nearlySpelled('张晓明', '张晓敏')).toBe(true); // ming / min
  expect(nearlySpelled('陈子涵', '陈梓涵')).toBe(true); // zi / zi
  expect(nearlySpelled('刘思晨', '刘思辰')).toBe(true); // chen / chen
  expect(nearlySpelled('王诗琪', '王思琪')).toBe(true); // shi / si
  expect(nearlySpelled('林兰兰', '林南兰')).toBe(true); // lan / nan
  expect(nearlySpelled('司马晓明', '司马晓敏')).toBe(true);
});

test('names differing in a character that sounds different are different children', () => {
  expect(nearlySpelled('王子涵', '王子轩')).toBe(false); // han / xuan: both common names
  expect(nearlySpelled('李梓萱', '李雨萱')).toBe(false);
  expect(nearlySpelled('张伟', '张强')).toBe(false); // two characters: never by replacement
  expect(nearlySpelled('张伟', '张玮')).toBe(false); // … not even a homophone (pinyin meets it: see below)
  expect(nearlySpelled('王子涵', '李子轩')).toBe(false); // two replaced
  expect(nearlySpelled('张晓明', '张晓明')).toBe(false); // the same name is its own reason
});

test('outside Han script (transliterated names) a replaced letter still counts', () => {
  expect(nearlySpelled('Anna', 'Anne')).toBe(true);
  expect(nearlySpelled('Tom', 'Tim')).toBe(true);
});

test('the reason given: the same name, the same pinyin, then a near spelling; none for another name', () => {
  const probe = (name: string, pinyinKey: string) => ({ name, pinyinKey });
  expect(nameReason(probe('张晓明', 'zhangxiaoming'), { name: '张晓明', pinyinKey: 'zhangxiaoming' })).toBe('姓名、出生日期、性别相同');
  expect(nameReason(probe('张伟', 'zhangwei'), { name: '张玮', pinyinKey: 'zhangwei' })).toBe('出生日期、性别相同，姓名拼音相同');
  expect(nameReason(probe('张晓明', 'zhangxiaoming'), { name: '张晓敏', pinyinKey: 'zhangxiaomin' })).toBe('出生日期、性别相同，姓名相近');
  expect(nameReason(probe('王子涵', 'wangzihan'), { name: '王子轩', pinyinKey: 'wangzixuan' })).toBeNull();
});

test('a sort on the name becomes pinyin order (then the name), in every form a sort comes in', () => {
  const byName = [{ pinyinKey: 'asc' }, { name: 'asc' }];
  expect(inPinyinOrder('name:asc')).toEqual(byName);
  expect(inPinyinOrder('name')).toEqual(byName);
  expect(inPinyinOrder(['birthDate:desc', 'name:DESC'])).toEqual(['birthDate:desc', { pinyinKey: 'desc' }, { name: 'desc' }]);
  expect(inPinyinOrder({ name: 'asc' })).toEqual(byName);
  expect(inPinyinOrder([{ birthDate: 'asc' }])).toEqual([{ birthDate: 'asc' }]);
  expect(inPinyinOrder('id:asc')).toEqual(['id:asc']);
});
