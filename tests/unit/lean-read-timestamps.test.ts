/**
 * The lean read takes PostgreSQL's timestamps as the text PostgreSQL sends and writes the ISO text
 * of the answer from it (cms/src/domain/lean-read.ts `timestampToIso`): the answer must be exactly what
 * pg's own parser (postgres-date: a local-time Date) and Strapi's datetime field (`toISOString`) make of
 * the same text, in every time zone the server may run in, for every precision PostgreSQL sends and for
 * the texts the fast path leaves to pg's parser (offsets, BC, infinity, years below 100 or beyond 9999).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';

// Local time is the process's (TZ, read by Node when the process sets it): jest gives a test its own
// copy of process.env, so each zone is checked in a Node process of its own, on the compiled module
// (tests/global-setup.js compiles cms/dist before the suites).
const root = path.resolve(__dirname, '..', '..');
const MODULE = path.join(root, 'cms', 'dist', 'src', 'domain', 'lean-read.js');
const PG = require.resolve('pg', { paths: [path.join(root, 'cms')] });

/** Runs in the child: every text through timestampToIso and through pg's parser + the datetime field's conversion. */
function check(modulePath: string, pgPath: string, texts: string[], withOffsets: string[], zoneChanges: string[]) {
  const { localTimeIsUtc, timestampToIso } = require(modulePath);
  const { types } = require(pgPath);
  const parseTimestamp = types.getTypeParser(1114, 'text');
  const parseTimestampTz = types.getTypeParser(1184, 'text');
  /** What the document service's read answers for the same text: pg's parser, then the datetime field's conversion. */
  const strapiIso = (text: string, parse: (value: string) => unknown) => {
    const value: any = parse(text);
    if (value === null) return null;
    const cast = value instanceof Date ? value : new Date(value);
    return Number.isNaN(cast.getTime()) ? null : cast.toISOString();
  };
  const utc = localTimeIsUtc();
  const differences: unknown[] = [];
  let compared = 0;
  for (const [list, parse] of [[texts, parseTimestamp], [withOffsets, parseTimestampTz]] as const) {
    for (const text of list) {
      compared += 1;
      const mine = timestampToIso(text, parse, utc);
      const theirs = strapiIso(text, parse);
      if (mine !== theirs) differences.push({ text, mine, theirs });
      // the other branch (with or without a Date) answers the same where local time is UTC
      if (utc && timestampToIso(text, parse, false) !== mine) differences.push({ text, branch: 'Date' });
    }
  }
  const zones: Record<string, boolean> = {};
  for (const zone of zoneChanges) {
    process.env.TZ = zone;
    zones[zone] = localTimeIsUtc();
  }
  return { utc, compared, differences, zones };
}

function inZone(zone: string, zoneChanges: string[] = []) {
  const script = `const check = ${check.toString()}; process.stdout.write(JSON.stringify(check(...${JSON.stringify([MODULE, PG, texts, WITH_OFFSETS, zoneChanges])})));`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, TZ: zone }, encoding: 'utf8' }));
}
const FRACTIONS = ['', '.0', '.5', '.05', '.001', '.0005', '.009', '.0099', '.009999', '.1', '.12', '.123', '.1234', '.12345', '.123456', '.999', '.999999', '.000001', '.23', '.07'];
const INSTANTS = [
  '2026-12-07 00:24:32', '2026-03-08 02:30:00', '2026-11-01 01:30:00', '2026-03-29 02:30:00', '2026-10-25 01:30:00',
  '2024-02-29 23:59:59', '2000-01-01 00:00:00', '1999-12-31 23:59:59', '1970-01-01 00:00:00', '1969-12-31 23:59:59',
  '1901-12-13 20:45:52', '1900-01-01 00:00:00', '1949-10-01 15:00:00', '1986-05-04 02:00:00', '2038-01-19 03:14:08',
  '2100-02-28 12:00:00', '0100-01-01 00:00:00', '0999-06-15 08:00:00', '9999-12-31 23:59:59', '2026-04-05 02:00:00',
];
const ODD = [
  'infinity', '-infinity', '0099-12-31 23:59:59', '0001-01-01 00:00:00 BC', '2026-12-07 00:24:32 BC', '10000-01-01 00:00:00',
  '2023-02-29 10:00:00', '2026-04-31 10:00:00', '2026-13-01 00:00:00', '2026-12-07 24:00:00', '2026-12-07 00:24:60',
  '2026-12-07 00:24:32.1234567', '2026-12-07T00:24:32', '2026-12-07 00:24:32.', '2026-12-07', '12/07/2026 00:24:32', '',
];
const WITH_OFFSETS = ['2026-12-07 00:24:32+00', '2026-12-07 08:24:32.123456+08', '2026-12-06 19:24:32.5-05', '1901-12-13 20:45:52+05:43:20', '2026-12-07 00:24:32-03:30'];
const ZONES = ['UTC', 'Etc/UTC', 'Asia/Shanghai', 'Asia/Urumqi', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns'];

/** 2,000 more instants from 1850 to 2150 (a fixed sequence), with 0 to 6 fraction digits, written as PostgreSQL writes a timestamp. */
const SPREAD = Array.from({ length: 2000 }, (_, i) => {
  const ms = Date.UTC(1850, 0, 1) + ((i * 2_654_435_761) % 9_467_280_000) * 1000 + ((i * 7919) % 1000);
  const iso = new Date(ms).toISOString();
  const digits = i % 7;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${digits ? `.${String((i * 104_729) % 1_000_000).padStart(6, '0').slice(0, digits)}` : ''}`;
});
const texts = [...INSTANTS.flatMap((instant) => FRACTIONS.map((fraction) => `${instant}${fraction}`)), ...ODD, ...SPREAD];

test.each(ZONES)('every timestamp text answers what pg and the datetime field answer, local time %s', (zone) => {
  const { utc, compared, differences } = inZone(zone);
  expect(utc).toBe(zone === 'UTC' || zone === 'Etc/UTC');
  expect(compared).toBe(texts.length + WITH_OFFSETS.length);
  expect(differences).toEqual([]);
});

test('local time outside UTC is never taken for UTC, however TZ changes at run time', () => {
  const { utc, zones } = inZone('UTC', ['Asia/Shanghai', 'UTC', 'Europe/London', 'Etc/UTC']);
  expect(utc).toBe(true);
  // Europe/London is UTC in winter only
  expect(zones).toEqual({ 'Asia/Shanghai': false, UTC: true, 'Europe/London': false, 'Etc/UTC': true });
});
