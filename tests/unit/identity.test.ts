import {
  ID_TYPES,
  checkAgainstTyped,
  gb11643CheckCharacter,
  isValidHongKongIdentityCard,
  isoToday,
  maskIdNumber,
  normalizeIdNumber,
  parseResidentId,
  validateDocument,
} from '../../plugins/student-id/server/src/identity';
import dictionaries from '../../config/dictionaries.json';

/** A fixed "today" so the tests do not age. */
const TODAY = '2025-06-01';

describe('normalizeIdNumber', () => {
  test.each([
    ['１１０１０５１９４９１２３１００２ｘ', '11010519491231002X'],
    [' 11010519491231002x ', '11010519491231002X'],
    ['110105 1949 1231 002X', '11010519491231002X'],
    ['\u3000１１０１０５１９４９１２３１００２Ｘ\t', '11010519491231002X'],
    ['e12345678', 'E12345678'],
    ['Ａ１２３４５６（３）', 'A123456(3)'],
    ['', ''],
    ['   ', ''],
    [null, ''],
    [undefined, ''],
  ])('%j → %j', (raw, expected) => {
    expect(normalizeIdNumber(raw)).toBe(expected);
  });
});

describe('gb11643CheckCharacter', () => {
  test.each([
    ['11010519491231002', 'X'],
    ['44052418800101001', '4'],
    ['11010820200315001', '0'],
    ['11010820200315002', '9'],
  ])('%s → %s', (first17, check) => {
    expect(gb11643CheckCharacter(first17)).toBe(check);
  });

  test('refuses anything but 17 digits', () => {
    expect(() => gb11643CheckCharacter('1101051949123100')).toThrow();
    expect(() => gb11643CheckCharacter('1101051949123100A')).toThrow();
  });
});

describe('parseResidentId: valid numbers', () => {
  test.each([
    // standard's examples
    ['11010519491231002X', '110105', '1949-12-31', 'female'],
    ['440524188001010014', '440524', '1880-01-01', 'male'],
    // generated with correct check characters: boys (odd sequence) and girls (even)
    ['110108202003150010', '110108', '2020-03-15', 'male'],
    ['110108202003150029', '110108', '2020-03-15', 'female'],
    ['310115201911011231', '310115', '2019-11-01', 'male'],
    ['440305202002290036', '440305', '2020-02-29', 'male'],
    ['440305202002290044', '440305', '2020-02-29', 'female'],
    ['510107202208150071', '510107', '2022-08-15', 'male'],
    ['510107202401010003', '510107', '2024-01-01', 'female'],
    // HK / Macao / Taiwan residence permits share the format
    ['810000202006010012', '810000', '2020-06-01', 'male'],
    ['820000201905050023', '820000', '2019-05-05', 'female'],
    ['830000202112120032', '830000', '2021-12-12', 'male'],
    // born today is fine
    ['350203202506010018', '350203', '2025-06-01', 'male'],
  ])('%s', (number, regionCode, birthDate, sex) => {
    expect(parseResidentId(number, TODAY)).toEqual({ ok: true, number, regionCode, birthDate, sex });
  });

  test('normalises before parsing', () => {
    const parsed = parseResidentId('１１０１０５１９４９１２３１００２ｘ', TODAY);
    expect(parsed).toMatchObject({ ok: true, number: '11010519491231002X', birthDate: '1949-12-31', sex: 'female' });
    expect(parseResidentId(' 11010519491231002x ', TODAY)).toMatchObject({ ok: true, number: '11010519491231002X' });
  });

  test('does not require the region code to exist', () => {
    // 999999 is in no code table; an abolished county's code must pass the same way
    const first17 = '99999920200101001';
    expect(parseResidentId(first17 + gb11643CheckCharacter(first17), TODAY).ok).toBe(true);
  });
});

describe('parseResidentId: invalid numbers, with distinct reasons', () => {
  const reasonOf = (number: string) => {
    const parsed = parseResidentId(number, TODAY);
    expect(parsed.ok).toBe(false);
    return parsed.ok ? '' : parsed.reason;
  };

  test.each([
    ['11010519491231002', /18位/], // 17 characters
    ['1101051949123100221', /18位/], // 19 characters
    ['', /18位/],
    ['11010519491231002A', /格式错误/], // letter in check position
    ['1101051949A231002X', /格式错误/], // letter inside
    ['X10105194912310021', /格式错误/],
    ['110105194912310021', /校验位错误/], // bad check character
    ['440524188001010015', /校验位错误/],
    ['11010519491231002Y', /格式错误/],
    ['350203202302300013', /出生日期无效/], // 2023-02-30, correct check character
    ['440305202102290033', /出生日期无效/], // 2021-02-29, not a leap year
    ['350203202513010016', /出生日期无效/], // month 13
    ['35020320990101001X', /晚于今天/], // 2099
    ['350203202506020013', /晚于今天/], // tomorrow
  ])('%j', (number, reason) => {
    expect(reasonOf(number)).toMatch(reason);
  });

  test('the four kinds of reason are different messages', () => {
    const reasons = new Set(['11010519491231002', '110105194912310021', '350203202302300013', '35020320990101001X'].map(reasonOf));
    expect(reasons.size).toBe(4);
  });

  test('today defaults to now in Beijing', () => {
    expect(isoToday()).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(parseResidentId('35020320990101001X').ok).toBe(false);
    expect(parseResidentId('11010519491231002X').ok).toBe(true);
  });

  test('a Date for today is read in Beijing time', () => {
    // 2025-06-01 16:30 UTC is already 2 June in Beijing
    expect(parseResidentId('350203202506020013', new Date('2025-06-01T16:30:00Z')).ok).toBe(true);
    expect(parseResidentId('350203202506020013', new Date('2025-06-01T15:30:00Z')).ok).toBe(false);
  });
});

describe('isoToday', () => {
  test('uses the time zone', () => {
    const now = new Date('2025-12-31T17:00:00Z');
    expect(isoToday('Asia/Shanghai', now)).toBe('2026-01-01');
    expect(isoToday('UTC', now)).toBe('2025-12-31');
  });
});

describe('validateDocument', () => {
  test.each([
    // type, raw, normalised number, birthDate, sex
    ['1', ' 11010519491231002x ', '11010519491231002X', '1949-12-31', 'female'],
    ['1', '810000202006010012', '810000202006010012', '2020-06-01', 'male'],
    ['6', '810000202006010012', '810000202006010012', '2020-06-01', 'male'],
    ['6', 'A123456(3)', 'A1234563', undefined, undefined],
    ['6', 'a123456（３）', 'A1234563', undefined, undefined],
    ['6', 'G123456(A)', 'G123456A', undefined, undefined],
    ['6', 'AB987654(3)', 'AB9876543', undefined, undefined],
    ['6', 'H12345678', 'H12345678', undefined, undefined],
    ['6', 'H1234567890', 'H1234567890', undefined, undefined],
    ['7', '820000201905050023', '820000201905050023', '2019-05-05', 'female'],
    ['7', '1234567(8)', '12345678', undefined, undefined],
    ['7', '5/123456/7', '51234567', undefined, undefined],
    ['7', '71234567', '71234567', undefined, undefined],
    ['7', 'm12345678', 'M12345678', undefined, undefined],
    ['8', '830000202112120032', '830000202112120032', '2021-12-12', 'male'],
    ['8', '01234567', '01234567', undefined, undefined],
    ['8', '1234567890', '1234567890', undefined, undefined],
    ['9', '915611201801010017', '915611201801010017', '2018-01-01', undefined],
    ['9', '911561202007040023', '911561202007040023', '2020-07-04', undefined],
    ['9', 'usa310112345678', 'USA310112345678', undefined, undefined],
    ['A', 'e12345678', 'E12345678', undefined, undefined],
    ['A', 'AB12', undefined, undefined, undefined], // too short
    ['Z', '', '', undefined, undefined],
    ['Z', ' 出生医学证明 O440123 ', '出生医学证明O440123', undefined, undefined],
  ])('%s %j', (type, raw, number, birthDate, sex) => {
    const result = validateDocument(type, raw, TODAY);
    if (number === undefined) {
      expect(result.ok).toBe(false);
      return;
    }
    expect(result).toEqual({ ok: true, number, ...(birthDate ? { birthDate } : {}), ...(sex ? { sex } : {}) });
  });

  test.each([
    ['1', '110105194912310021', /校验位错误/],
    ['1', '11010519491231002', /18位/],
    ['1', 'E12345678', /18位/],
    ['6', '820000201905050023', /810000/], // a Macao permit under the HK type
    ['6', '810000202006010013', /校验位错误/],
    ['6', 'A123456(7)', /格式错误/], // HK identity card with a wrong check digit
    ['6', '12345678', /格式错误/],
    ['7', '810000202006010012', /820000/],
    ['7', '2234567(8)', /格式错误/], // Macao cards start 1, 5 or 7
    ['7', '1234567', /格式错误/],
    ['8', '1234567', /格式错误/],
    ['8', 'A123456789', /格式错误/],
    ['8', '830000209901010014', /晚于今天/],
    ['9', '110108202003150010', /9开头/],
    ['9', '915611201801010018', /校验位错误/],
    ['9', '91561120180101001', /9开头/],
    ['A', 'E1234567-8', /5至20位/],
    ['A', 'E'.repeat(21), /5至20位/],
    ['Q', '11010519491231002X', /类型无效/],
  ])('%s %j is refused', (type, raw, reason) => {
    const result = validateDocument(type, raw, TODAY);
    expect(result.ok).toBe(false);
    expect(result.reason).toMatch(reason);
  });

  test.each(['1', '6', '7', '8', '9', 'A'])('type %s requires a number', (type) => {
    expect(validateDocument(type, '  ', TODAY)).toEqual({ ok: false, number: '', reason: '证件号码必填' });
    expect(validateDocument(type, null, TODAY)).toEqual({ ok: false, number: '', reason: '证件号码必填' });
  });

  test('the same number typed two ways gives one spelling', () => {
    const a = validateDocument('1', '１１０１０５１９４９１２３１００２ｘ', TODAY);
    const b = validateDocument('1', ' 11010519491231002x ', TODAY);
    expect(a.number).toBe(b.number);
  });
});

describe('isValidHongKongIdentityCard', () => {
  test.each([
    ['A1234563', true],
    ['G123456A', true],
    ['AB9876543', true],
    ['A1234567', false],
    ['A123456', false],
    ['ABC1234563', false],
  ])('%s → %s', (value, ok) => {
    expect(isValidHongKongIdentityCard(value)).toBe(ok);
  });
});

describe('checkAgainstTyped', () => {
  test('no mismatch when typed values agree, whatever their spelling', () => {
    expect(checkAgainstTyped({ type: '1', number: '11010519491231002X', sex: 'female', birthDate: '1949-12-31', today: TODAY })).toEqual([]);
    expect(checkAgainstTyped({ type: '1', number: '11010519491231002x', sex: '女', birthDate: '1949-12-31T00:00:00.000Z', today: TODAY })).toEqual([]);
    expect(checkAgainstTyped({ type: '1', number: '440524188001010014', sex: '1', birthDate: '1880-01-01', today: TODAY })).toEqual([]);
  });

  test('sex differs', () => {
    const result = checkAgainstTyped({ type: '1', number: '110108202003150010', sex: 'female', birthDate: '2020-03-15', today: TODAY });
    expect(result).toEqual([{ field: 'sex', message: expect.stringContaining('男') }]);
  });

  test('birth date differs', () => {
    const result = checkAgainstTyped({ type: '1', number: '110108202003150029', sex: 'female', birthDate: '2020-03-16', today: TODAY });
    expect(result).toEqual([{ field: 'birthDate', message: expect.stringContaining('2020-03-15') }]);
  });

  test('both differ', () => {
    const result = checkAgainstTyped({ type: '1', number: '110108202003150029', sex: 'male', birthDate: '2021-03-15', today: TODAY });
    expect(result.map((m) => m.field)).toEqual(['sex', 'birthDate']);
  });

  test('residence permits are compared too; the new foreign card only by birth date', () => {
    expect(checkAgainstTyped({ type: '7', number: '820000201905050023', sex: 'male', today: TODAY }).map((m) => m.field)).toEqual(['sex']);
    expect(checkAgainstTyped({ type: '9', number: '915611201801010017', sex: 'female', birthDate: '2018-01-02', today: TODAY }).map((m) => m.field)).toEqual(['birthDate']);
  });

  test('a Date birth date is read in Beijing time', () => {
    // midnight 15 March in Beijing is still 14 March in UTC
    expect(checkAgainstTyped({ type: '1', number: '110108202003150010', birthDate: new Date('2020-03-14T16:00:00Z'), today: TODAY })).toEqual([]);
  });

  test('nothing to compare: empty typed values, documents without data, invalid numbers', () => {
    expect(checkAgainstTyped({ type: '1', number: '110108202003150010', today: TODAY })).toEqual([]);
    expect(checkAgainstTyped({ type: '1', number: '110108202003150010', sex: '', birthDate: null, today: TODAY })).toEqual([]);
    expect(checkAgainstTyped({ type: 'A', number: 'E12345678', sex: 'male', birthDate: '2020-01-01', today: TODAY })).toEqual([]);
    expect(checkAgainstTyped({ type: '1', number: '110108202003150011', sex: 'female', today: TODAY })).toEqual([]);
  });
});

describe('maskIdNumber', () => {
  test.each([
    ['440524188001010014', '440524***********4'],
    ['11010519491231002x', '110105***********X'],
    ['USA310112345678', 'USA310********8'],
    ['E12345678', 'E1*****78'],
    ['12345', '12*45'],
    ['1234', '****'],
    ['', ''],
    [null, ''],
  ])('%j → %j', (number, masked) => {
    expect(maskIdNumber(number)).toBe(masked);
  });
});

describe('code table', () => {
  test('config/dictionaries.json idType matches the module', () => {
    expect((dictionaries as any).idType).toEqual(ID_TYPES.map(({ code, name }) => ({ code, name })));
  });
});

describe('child code tables', () => {
  const tables = dictionaries as unknown as Record<string, Array<{ code: string; name: string }>>;

  test.each(['ethnicity', 'nationality', 'idType', 'overseasChinese', 'health', 'bloodType', 'disability', 'leftBehind', 'householdType', 'sex', 'enrollmentMode', 'guardianRelation'])(
    '%s: string codes, unique, named',
    (key) => {
      const table = tables[key];
      expect(Array.isArray(table) && table.length > 1).toBe(true);
      for (const row of table) {
        expect(typeof row.code).toBe('string');
        expect(row.name).toBeTruthy();
      }
      expect(new Set(table.map((row) => row.code)).size).toBe(table.length);
    },
  );

  test('民族: the 56 groups of GB 3304, then 97 and 98', () => {
    const codes = tables.ethnicity.map((row) => row.code);
    expect(codes).toHaveLength(58);
    expect(tables.ethnicity[0]).toEqual({ code: '01', name: '汉族' });
    expect(tables.ethnicity[55]).toEqual({ code: '56', name: '基诺族' });
    expect(codes.slice(56)).toEqual(['97', '98']);
  });

  test('国籍/地区: China first, then HK, Macao, Taiwan; 3-digit numeric codes', () => {
    expect(tables.nationality.slice(0, 4).map(({ code, name }) => [code, name])).toEqual([
      ['156', '中国'],
      ['344', '中国香港'],
      ['446', '中国澳门'],
      ['158', '中国台湾'],
    ]);
    expect(tables.nationality.every((row) => /^\d{3}$/.test(row.code))).toBe(true);
    expect(tables.nationality.length).toBeGreaterThan(200);
  });

  test('sex codes are what the ID module derives', () => {
    expect(tables.sex.map((row) => row.code)).toEqual(['male', 'female']);
  });
});
