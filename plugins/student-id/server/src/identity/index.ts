/**
 * Identity document numbers (docs/domain.md §3): normalisation, the GB 11643-1999 check
 * character, resident ID parsing, validation per document type (身份证件类型), comparison with
 * typed sex / birth date, and masking for display.
 *
 * Pure functions: no Strapi, no I/O. The only clock is `isoToday()`, and every function that
 * looks at "today" takes it as an optional parameter so that tests and imports can fix it.
 *
 * Messages (`reason`, `message`) are Chinese because they are shown to the people who type the
 * numbers in.
 */

/* ------------------------------------------------------------------------------------------ */
/* Types                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/** Codes of the 身份证件类型 table (config/dictionaries.json `idType`). */
export type IdType = '1' | '6' | '7' | '8' | '9' | 'A' | 'Z';

export type Sex = 'male' | 'female';

/** A date as `YYYY-MM-DD`, or a `Date` (read in Asia/Shanghai). */
export type DayInput = string | Date;

export type ResidentIdResult =
  | { ok: true; number: string; regionCode: string; birthDate: string; sex: Sex }
  | { ok: false; reason: string };

export type DocumentResult = {
  ok: boolean;
  /** The normalised number: the one spelling to store and to compare for uniqueness. */
  number: string;
  /** Derived from the number when the document carries it (resident ID, permits, new foreign card). */
  birthDate?: string;
  /** Derived from the number when the document carries it (resident ID and HK/Macao/Taiwan permits). */
  sex?: Sex;
  reason?: string;
};

export type TypedMismatch = { field: 'sex' | 'birthDate'; message: string };

/** The 身份证件类型 code table, in display order (same codes and names as config/dictionaries.json). */
export const ID_TYPES: ReadonlyArray<{ code: IdType; name: string }> = [
  { code: '1', name: '居民身份证' },
  { code: '6', name: '香港特区护照/身份证明' },
  { code: '7', name: '澳门特区护照/身份证明' },
  { code: '8', name: '台湾居民来往大陆通行证' },
  { code: '9', name: '境外永久居住证' },
  { code: 'A', name: '护照' },
  { code: 'Z', name: '其他' },
];
/** The codes of ID_TYPES (validateDocument looks a type up for every number it checks). */
const ID_TYPE_CODES: ReadonlySet<string> = new Set(ID_TYPES.map((t) => t.code));

export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

/* ------------------------------------------------------------------------------------------ */
/* Dates                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/** Today's calendar date (`YYYY-MM-DD`) in a time zone, Beijing time by default. */
const dayFormats = new Map<string, Intl.DateTimeFormat>();
const todayCache = new Map<string, { value: string; until: number }>();

export function isoToday(timeZone: string = DEFAULT_TIME_ZONE, now?: Date): string {
  // Bulk imports check 100,000s of numbers: one formatter per zone, and "today" reused for a second.
  if (!now) {
    const cached = todayCache.get(timeZone);
    const clock = Date.now();
    if (cached && clock < cached.until) return cached.value;
    const value = isoToday(timeZone, new Date(clock));
    todayCache.set(timeZone, { value, until: clock + 1000 });
    return value;
  }
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(now);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** `YYYY-MM-DD` from a day input; a `Date` is read in Beijing time, a string keeps its first 10 characters. */
function toDay(value: DayInput | undefined): string {
  if (value === undefined) return isoToday();
  if (value instanceof Date) return isoToday(DEFAULT_TIME_ZONE, value);
  return String(value).trim().slice(0, 10);
}

/** Days of each month in a common year (February gains one in a leap year). */
const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** The value of `count` decimal digits of `text` from `at` (the caller has checked they are digits). */
function digitsAt(text: string, at: number, count: number): number {
  let value = 0;
  for (let i = at; i < at + count; i += 1) value = value * 10 + (text.charCodeAt(i) - 48);
  return value;
}

/**
 * The eight digits of `text` from `at` (checked digits, YYYYMMDD) → `YYYY-MM-DD` when they are a real
 * calendar date (2023-02-30 is not), otherwise null; read in place, with no cut string but the
 * answer (imports read hundreds of thousands of ID numbers).
 */
function realDateAt(text: string, at: number): string | null {
  const year = digitsAt(text, at, 4);
  const month = digitsAt(text, at + 4, 2);
  const day = digitsAt(text, at + 6, 2);
  if (month < 1 || month > 12 || day < 1) return null;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (day > MONTH_DAYS[month - 1] + (month === 2 && leap ? 1 : 0)) return null;
  return `${text.slice(at, at + 4)}-${text.slice(at + 4, at + 6)}-${text.slice(at + 6, at + 8)}`;
}

/* ------------------------------------------------------------------------------------------ */
/* Normalisation                                                                              */
/* ------------------------------------------------------------------------------------------ */

/**
 * The one spelling of a typed or imported number: trimmed, every whitespace removed (also inner
 * and ideographic U+3000 spaces), full-width ASCII (０-９, Ａ-Ｚ, ａ-ｚ, （）…) turned half-width,
 * letters upper-cased (`x` → `X`, passport letters). Returns '' for null, undefined or blanks.
 * Punctuation other than spaces is kept here; `validateDocument` removes the brackets of HK and
 * Macao identity card numbers (`A123456(3)` → `A1234563`).
 */
const NORMAL = /^[0-9A-Z]*$/;
export function normalizeIdNumber(raw: unknown): string {
  if (raw === null || raw === undefined) return '';
  // already in its one spelling (as most numbers are, and every number normalised once): nothing to change
  if (typeof raw === 'string' && NORMAL.test(raw)) return raw;
  return String(raw)
    .replace(/[\uFF01-\uFF5E]/g, (ch) => String.fromCharCode(ch.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, '')
    .toUpperCase();
}

/* ------------------------------------------------------------------------------------------ */
/* GB 11643-1999 (ISO 7064 MOD 11-2)                                                          */
/* ------------------------------------------------------------------------------------------ */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/**
 * The check character of the first 17 digits: R = Σ digit × weight mod 11, R = 0…10 →
 * `1 0 X 9 8 7 6 5 4 3 2`. Also used for the 学籍号 J-numbers. Throws unless given 17 digits.
 */
export function gb11643CheckCharacter(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new Error('gb11643CheckCharacter: 17 digits expected');
  return checkCharacterOf(first17);
}

/** The check character of the first 17 characters of `value` (checked digits), read in place. */
function checkCharacterOf(value: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (value.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/** Message prefix naming the document in reasons, e.g. 身份证号码 / 居住证号码. */
const RESIDENT = '身份证号码';

/**
 * Parses an 18-character GB 11643 number (resident ID; the HK/Macao/Taiwan residence permits share
 * the format). In order: length, structure `^\d{17}[\dX]$`, check character, real birth date,
 * birth date not after `today` (default: today in Beijing). The region code is NOT looked up:
 * codes of abolished counties stay valid, and so do the permits' 810000/820000/830000. No lower
 * bound on the birth year (the standard's own example is born in 1880).
 * The number is normalised first, so `11010519491231002x` parses.
 */
export function parseResidentId(number: string, today?: DayInput, label: string = RESIDENT): ResidentIdResult {
  const value = normalizeIdNumber(number);
  if (value.length !== 18) return { ok: false, reason: `${label}应为18位（当前${value.length}位）` };
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, reason: `${label}格式错误：前17位应为数字，末位应为数字或X` };
  if (checkCharacterOf(value) !== value[17]) return { ok: false, reason: `${label}校验位错误，请核对号码` };
  const birthDate = realDateAt(value, 6);
  if (!birthDate) return { ok: false, reason: `${label}中的出生日期无效` };
  if (birthDate > toDay(today)) return { ok: false, reason: `${label}中的出生日期晚于今天` };
  return {
    ok: true,
    number: value,
    regionCode: value.slice(0, 6),
    birthDate,
    sex: Number(value[16]) % 2 === 1 ? 'male' : 'female',
  };
}

/* ------------------------------------------------------------------------------------------ */
/* Other documents                                                                            */
/* ------------------------------------------------------------------------------------------ */

/**
 * Hong Kong identity card: 1 or 2 letters, 6 digits, check character 0-9 or A (usually typed in
 * brackets, removed before this). Check: the letters count A=10 … Z=35 and a missing first letter
 * counts 36; weights 9…2 on the 8 leading positions (+1 on the check, A = 10); total ≡ 0 mod 11.
 */
export function isValidHongKongIdentityCard(value: string): boolean {
  const match = /^([A-Z]{1,2})(\d{6})([\dA])$/.exec(value);
  if (!match) return false;
  const letters = match[1].length === 1 ? ` ${match[1]}` : match[1];
  const chars = `${letters}${match[2]}`;
  let sum = 0;
  for (let i = 0; i < 8; i += 1) {
    const ch = chars[i];
    const v = ch === ' ' ? 36 : /[A-Z]/.test(ch) ? ch.charCodeAt(0) - 55 : Number(ch);
    sum += v * (9 - i);
  }
  sum += match[3] === 'A' ? 10 : Number(match[3]);
  return sum % 11 === 0;
}

/** Traditional (non-permit) formats accepted per type; see `validateDocument`. */
const TRADITIONAL: Record<'6' | '7' | '8', { test: (value: string) => boolean; expected: string }> = {
  '6': {
    test: (value) => isValidHongKongIdentityCard(value) || /^H(\d{8}|\d{10})$/.test(value),
    expected: '香港居民居住证（810000开头18位）、香港身份证（如A123456(3)，校验位须正确）或港澳居民来往内地通行证（H加8位或10位数字）',
  },
  '7': {
    test: (value) => /^[157]\d{7}$/.test(value) || /^M(\d{8}|\d{10})$/.test(value),
    expected: '澳门居民居住证（820000开头18位）、澳门身份证（如1234567(8)，1、5或7开头8位）或港澳居民来往内地通行证（M加8位或10位数字）',
  },
  '8': {
    test: (value) => /^(\d{8}|\d{10})$/.test(value),
    expected: '台湾居民居住证（830000开头18位）或台湾居民来往大陆通行证（8位数字，旧版10位）',
  },
};

const PERMIT_REGION: Record<'6' | '7' | '8', string> = { '6': '810000', '7': '820000', '8': '830000' };

const FAIL = (number: string, reason: string): DocumentResult => ({ ok: false, number, reason });

/**
 * Validates a number for a document type and returns its normalised spelling, plus the birth
 * date and sex when the number carries them. What is accepted:
 *
 * - `1` 居民身份证: an 18-character GB 11643 number (`parseResidentId`); HK/Macao/Taiwan residence
 *   permits (810000/820000/830000…) have the same format and pass too. → birthDate, sex.
 * - `6` 香港: an 18-character residence permit starting 810000 (full GB 11643 checks → birthDate,
 *   sex); a Hong Kong identity card, 1–2 letters + 6 digits + check digit/A, brackets optional,
 *   check digit verified (`A123456(3)` → `A1234563`); a Mainland Travel Permit (回乡证) `H` + 8
 *   digits (card since 2013) or `H` + 10 digits (older booklet).
 * - `7` 澳门: a residence permit starting 820000 (as above); a Macao identity card, 8 digits starting
 *   1, 5 or 7, brackets and slashes optional (`1234567(8)`, `1/234567/8` → `12345678`; the check
 *   digit algorithm is not public, so it is not verified); a travel permit `M` + 8 or 10 digits.
 * - `8` 台湾: a residence permit starting 830000 (as above); a 台湾居民来往大陆通行证, 8 digits (card
 *   since 2015) or 10 digits (older).
 * - `9` 境外永久居住证: the 2023-12 card, 18 characters starting `9`, GB 11643 check character and
 *   birth date at positions 7–14 (→ birthDate; sex is NOT derived, the card's sex digit is not
 *   confirmed); or the older 15-character card, 3 letters (nationality) + 12 digits (no check).
 * - `A` 护照: 5–20 letters or digits.
 * - `Z` 其他: anything, may be empty (the kindergarten files proof instead).
 *
 * An empty number is `证件号码必填` for every type but Z; an unknown type is refused.
 */
export function validateDocument(type: string, raw: unknown, today?: DayInput): DocumentResult {
  const code = normalizeIdNumber(type) as IdType;
  let number = normalizeIdNumber(raw);
  if (!ID_TYPE_CODES.has(code)) return FAIL(number, '身份证件类型无效');
  if (code === 'Z') return { ok: true, number };
  if (!number) return FAIL(number, '证件号码必填');

  switch (code) {
    case '1': {
      const parsed = parseResidentId(number, today);
      return parsed.ok ? { ok: true, number: parsed.number, birthDate: parsed.birthDate, sex: parsed.sex } : FAIL(number, parsed.reason);
    }
    case '6':
    case '7':
    case '8': {
      if (/^\d{17}[\dX]$/.test(number)) {
        const region = PERMIT_REGION[code];
        if (!number.startsWith(region)) return FAIL(number, `居住证号码应以${region}开头`);
        const parsed = parseResidentId(number, today, '居住证号码');
        return parsed.ok ? { ok: true, number: parsed.number, birthDate: parsed.birthDate, sex: parsed.sex } : FAIL(number, parsed.reason);
      }
      number = number.replace(/[()/\-]/g, '');
      if (TRADITIONAL[code].test(number)) return { ok: true, number };
      return FAIL(number, `证件号码格式错误，应为${TRADITIONAL[code].expected}`);
    }
    case '9': {
      if (/^[A-Z]{3}\d{12}$/.test(number)) return { ok: true, number };
      if (!number.startsWith('9') || number.length !== 18) {
        return FAIL(number, '永久居留身份证号码应为9开头的18位（2023年新版）或3位字母加12位数字（旧版）');
      }
      const parsed = parseResidentId(number, today, '永久居留身份证号码');
      return parsed.ok ? { ok: true, number: parsed.number, birthDate: parsed.birthDate } : FAIL(number, parsed.reason);
    }
    case 'A':
      if (/^[A-Z0-9]{5,20}$/.test(number)) return { ok: true, number };
      return FAIL(number, '护照号码应为5至20位字母或数字');
  }
  return FAIL(number, '身份证件类型无效');
}

/* ------------------------------------------------------------------------------------------ */
/* Typed values                                                                               */
/* ------------------------------------------------------------------------------------------ */

/** 'male' / 'female' from the usual spellings (male, M, 1, 男 / female, F, 2, 女), otherwise null. */
const MALE = new Set(['male', 'm', '1', '男']);
const FEMALE = new Set(['female', 'f', '2', '女']);
function toSex(value: unknown): Sex | null {
  if (value === 'male' || value === 'female') return value;
  const v = String(value ?? '').trim().toLowerCase();
  if (MALE.has(v)) return 'male';
  if (FEMALE.has(v)) return 'female';
  return null;
}

const SEX_NAME: Record<Sex, string> = { male: '男', female: '女' };

/**
 * Compares typed sex and birth date with what the document number says ("entering a resident ID
 * number fills in sex and birth date; a mismatch with typed values is an error"). Returns one
 * entry per differing field; nothing when the number is invalid (that is `validateDocument`'s
 * error), when the document carries no such data, or when the typed value is empty (the caller
 * fills it in). A typed birth date may be `YYYY-MM-DD`, an ISO date-time (first 10 characters)
 * or a `Date` (read in Beijing time).
 */
export function checkAgainstTyped(input: {
  type: string;
  number: unknown;
  sex?: unknown;
  birthDate?: string | Date | null;
  today?: DayInput;
}): TypedMismatch[] {
  const doc = validateDocument(input.type, input.number, input.today);
  if (!doc.ok) return [];
  const mismatches: TypedMismatch[] = [];
  const typedSex = toSex(input.sex);
  if (doc.sex && typedSex && typedSex !== doc.sex) {
    mismatches.push({ field: 'sex', message: `性别与证件号码不符：证件号码显示为${SEX_NAME[doc.sex]}` });
  }
  if (doc.birthDate && input.birthDate) {
    const typed = toDay(input.birthDate);
    if (typed && typed !== doc.birthDate) {
      mismatches.push({ field: 'birthDate', message: `出生日期与证件号码不符：证件号码显示为${doc.birthDate}` });
    }
  }
  return mismatches;
}

/* ------------------------------------------------------------------------------------------ */
/* Display                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/**
 * THE masking rule of the system, for every place that shows an identity number masked (lists,
 * exports, events, requests, transfers, the audit trail, the logs; the panel shows what the server
 * sends): the hidden part must not be derivable from fields shown beside it. A resident ID (and
 * every 15–18 character number) keeps only its first 6 and its last character
 * (`440524188001010014` → `440524***********4`): the birth date AND the sequence stay hidden, so
 * the birth date of the same row gives nothing back. Shorter numbers (passports, HK/Macao/Taiwan
 * cards) keep their first 2 and last 2; 4 characters or fewer are masked entirely. The number is
 * normalised first. Idempotent: masking a masked value (also one masked by an older, weaker rule)
 * gives the value masked by this rule, which is how stored masked forms are recomputed.
 */
export function maskIdNumber(number: unknown): string {
  const value = normalizeIdNumber(number);
  if (!value) return '';
  if (value.length <= 4) return '*'.repeat(value.length);
  const [head, tail] = value.length >= 15 ? [6, 1] : [2, 2];
  return `${value.slice(0, head)}${'*'.repeat(value.length - head - tail)}${value.slice(-tail)}`;
}

/** The prefix of a 学籍号 that carries a resident ID (config/student-id.json `withResidentId`). */
export const DEFAULT_RESIDENT_ID_PREFIX = 'G';

/** Whether a 学籍号 carries a resident ID number: the prefix followed by 18 characters. */
export function carriesResidentId(number: unknown, residentIdPrefix: string = DEFAULT_RESIDENT_ID_PREFIX): boolean {
  const value = normalizeIdNumber(number);
  return Boolean(residentIdPrefix) && value.startsWith(residentIdPrefix) && value.length === residentIdPrefix.length + 18;
}

/**
 * A 学籍号 as shown where ID numbers are masked. A G-type number is `G` + the resident ID: it is an
 * ID number and is masked by the same rule (`G440524188001010014` → `G440524***********4`). J and L
 * numbers carry no ID number (region of the kindergarten, birth date, sequence) and are shown as
 * they are. Normalised first; '' for an empty value.
 */
export function maskStudentNumber(number: unknown, residentIdPrefix: string = DEFAULT_RESIDENT_ID_PREFIX): string {
  const value = normalizeIdNumber(number);
  if (!carriesResidentId(value, residentIdPrefix)) return value;
  return `${residentIdPrefix}${maskIdNumber(value.slice(residentIdPrefix.length))}`;
}

/**
 * Any identifier of a person as shown in the trail and the logs, whether an ID number or a 学籍号
 * (the audit's masked fields): a G-type 学籍号 keeps its prefix, everything else is `maskIdNumber`.
 */
export function maskIdentifier(value: unknown, residentIdPrefix: string = DEFAULT_RESIDENT_ID_PREFIX): string {
  return carriesResidentId(value, residentIdPrefix) ? maskStudentNumber(value, residentIdPrefix) : maskIdNumber(value);
}
