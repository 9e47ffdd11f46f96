/**
 * The audit trail cannot be erased, and holds no plain ID number (docs/security/audit-and-pii-at-rest.md):
 * - every details object written is masked of ID-number-like text: query strings (plain,
 *   percent-encoded, full-width), free text, G+18 学籍号;
 * - PostgreSQL: every partition refuses TRUNCATE (the owner too); with the two-role setup the
 *   application's role can only INSERT and SELECT: UPDATE, DELETE, TRUNCATE, DISABLE TRIGGER,
 *   DETACH, DROP and replacing the trigger function all fail; a restart by that role works, and
 *   retention drops old partitions through the owner's function, never a month younger than 6.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bootStrapi, REPOSITORY_ROOT, type BootedApp } from '../helpers/boot';
import { login, type Session } from '../helpers/api';
import { residentId } from '../helpers/ids';

// loaded after the boot (the compiled modules read DATA_DIR when first loaded)
const audit = () => require(path.join(REPOSITORY_ROOT, 'cms', 'dist', 'src', 'security', 'audit'));
const onPostgres = Boolean(process.env.DATABASE_URL);
/** Partitions and database roles exist on PostgreSQL only: on SQLite these blocks are skipped (SQLite has no roles or partitions; its trail is guarded by triggers alone). */
const postgresOnly = onPostgres ? describe : describe.skip;
const SKIP_REASON = onPostgres ? '' : ' [skipped: SQLite has no database roles or partitions; run with DATABASE_URL]';

let app: BootedApp;
let kindergarten: Session;
let classId: string;

const rowsSince = (id: number) => app.strapi.db.connection(audit().auditTable(app.strapi)).where('id', '>', id).orderBy('id', 'asc');
const lastId = async () => Number((await app.strapi.db.connection(audit().auditTable(app.strapi)).max({ id: 'id' }))[0].id ?? 0);
const text = (rows: any[]) => rows.map((row) => `${row.target_type} ${row.target_id} ${typeof row.details === 'string' ? row.details : JSON.stringify(row.details)}`).join('\n');

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  classId = (await kindergarten.get('/api/school-classes?filters[name][$eq]=小一班').expect(200)).body.data[0].documentId;
}, 180_000);
afterAll(async () => { await app?.stop(); });

describe('audit details never hold a plain ID number', () => {
  const id = residentId('350502', '20220707', '317');
  // the one masking rule: the first 6 and the last character (plugins/student-id maskIdNumber)
  const masked = `${id.slice(0, 6)}${'*'.repeat(11)}${id.slice(-1)}`;
  const fullWidth = id.replace(/[0-9X]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
  const everyDigitEncoded = id.split('').map((c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`).join('');

  test('in the query string of an audited route: plain, percent-encoded, full-width, after G', async () => {
    const from = await lastId();
    const queries = [
      `filters[idNumber][$eq]=${id}`,
      `filters%5BidNumber%5D%5B%24eq%5D=${id}`,
      `filters%5BidNumber%5D%5B%24eq%5D=${everyDigitEncoded}`,
      `filters[idNumber][$eq]=${encodeURIComponent(fullWidth)}`,
      `filters[studentNumber][$eq]=G${id}`,
      `q=${encodeURIComponent(`证件号 ${id}`)}`,
    ];
    for (const query of queries) await kindergarten.get(`/api/child-export?${query}`);
    const rows = (await rowsSince(from)).filter((row) => row.action === 'export');
    expect(rows).toHaveLength(queries.length);
    const stored = text(rows);
    for (const form of [id, everyDigitEncoded, fullWidth, encodeURIComponent(fullWidth), id.slice(6, 14)]) expect(stored).not.toContain(form);
    expect(stored).toContain(masked);
  });

  test('in free text and nested values of a record written (a request\'s reason, its payload)', async () => {
    const birth = '20220708';
    const own = residentId('350502', birth, '319');
    const created = await kindergarten.post('/api/children', { data: {
      name: '审计幼儿', idType: '1', idNumber: own, birthPlace: '350502', nativePlace: '福建泉州', ethnicity: '01', nationality: '156', overseasChinese: '00', health: '10',
      householdRegion: '350502', householdType: '2', address: '鲤城区中山路 2 号', phone: '13800000000', enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true,
      schoolClass: classId, guardians: [{ name: '监护人', relation: '1', idType: '1', idNumber: residentId('350502', '19880808', '321'), phone: '13800000001' }],
    } }).expect(201);
    const childId = created.body.data.documentId;
    const registered = await kindergarten.post(`/api/children/${childId}/register`, { data: { acknowledgeCandidates: true } }).expect(200);
    expect(registered.body.data.studentNumber).toBe(`G${own}`);
    const from = await lastId();
    const corrected = residentId('350502', birth, '323');
    await kindergarten.post(`/api/children/${childId}/key-change`, { data: { changes: { idNumber: corrected }, reason: `户口簿上的号码是 ${corrected}，原号码 ${own} 有误` } }).expect(201);
    const rows = await rowsSince(from);
    expect(rows.length).toBeGreaterThan(0);
    const stored = text(rows);
    for (const number of [own, corrected]) expect(stored).not.toContain(number);
    expect(stored).toContain(`${corrected.slice(0, 6)}${'*'.repeat(11)}${corrected.slice(-1)}`);
  });

  test('the one masking function: fields by name, text anywhere, deep values', () => {
    const { maskSensitive } = audit();
    const deep = { a: { b: { c: { d: { e: { f: { g: { h: `x${id}` } } } } } } } };
    const result = JSON.stringify(maskSensitive({ idNumber: id, note: `号码${id}。`, list: [`G${id}`], deep, [`key${id}`]: 1 }));
    expect(result).not.toContain(id);
    expect(result).toContain(`G${masked}`);
  });
});

postgresOnly(`PostgreSQL: partitions refuse TRUNCATE, retention through the owner's function${SKIP_REASON}`, () => {
  test('TRUNCATE of any partition is refused, even to the owner', async () => {
    const knex = app.strapi.db.connection;
    const partitions = await knex.raw(`SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = ?::regclass`, [`${app.schema}.audit_entries`]);
    expect(partitions.rows.length).toBeGreaterThanOrEqual(6);
    for (const { relname } of partitions.rows) {
      await expect(knex.raw(`TRUNCATE ${app.schema}.${relname}`)).rejects.toThrow(/append-only/);
    }
    await expect(knex.raw(`TRUNCATE ${app.schema}.audit_entries`)).rejects.toThrow(/append-only/);
  });

  test('the retention cut drops whole months past audit.retentionDays, through maintainAuditTrail', async () => {
    const knex = app.strapi.db.connection;
    await knex.raw(`CREATE TABLE ${app.schema}.audit_entries_201901 PARTITION OF ${app.schema}.audit_entries FOR VALUES FROM ('2019-01-01') TO ('2019-02-01')`);
    await knex.raw(`INSERT INTO ${app.schema}.audit_entries (at, action) VALUES ('2019-01-15', 'old')`);
    const { dropped } = await audit().maintainAuditTrail(app.strapi);
    expect(dropped).toBe(1);
    expect((await knex.raw('SELECT to_regclass(?) AS r', [`${app.schema}.audit_entries_201901`])).rows[0].r).toBeNull();
    // the trail of the last months is still whole
    expect(Number((await knex(`${app.schema}.audit_entries`).count({ n: '*' }))[0].n)).toBeGreaterThan(0);
  });
});

postgresOnly(`PostgreSQL two-role setup: the application role can only INSERT and SELECT the trail${SKIP_REASON}`, () => {
  const suffix = crypto.randomBytes(4).toString('hex');
  const owner = `preschool_audit_owner_${suffix}`;
  const appRole = `preschool_app_${suffix}`;
  let client: any;
  let schema: string;
  let partition: string;

  /** Runs as the application's role (SET ROLE on a connection of its own). */
  const asApp = async (sql: string, values: unknown[] = []) => {
    await client.query(`SET ROLE ${appRole}`);
    try {
      return await client.query(sql, values);
    } finally {
      await client.query('RESET ROLE');
    }
  };

  beforeAll(async () => {
    schema = app.schema!;
    const { Client } = require('pg');
    client = new Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    // what the operator does once (docs/security/audit-and-pii-at-rest.md)
    await client.query(`CREATE ROLE ${owner} NOLOGIN`);
    await client.query(`CREATE ROLE ${appRole} LOGIN PASSWORD '${crypto.randomBytes(12).toString('hex')}'`);
    // the application role creates its own tables (Strapi), so it may create in the schema, but does not own it
    await client.query(`GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${appRole}`);
    await client.query(`SELECT ${schema}.audit_hand_over($1, $2)`, [owner, appRole]);
    const month = new Date().toISOString().slice(0, 7).replace('-', '');
    partition = `${schema}.audit_entries_${month}`;
  });

  afterAll(async () => {
    if (!client) return;
    await client.query('RESET ROLE');
    for (const role of [owner, appRole]) {
      await client.query(`REASSIGN OWNED BY ${role} TO CURRENT_USER`).catch(() => undefined);
      await client.query(`DROP OWNED BY ${role}`).catch(() => undefined);
      await client.query(`DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
    }
    await client.end();
  });

  test('the trail, its partitions and functions belong to the owner role', async () => {
    const owners = await client.query(`SELECT DISTINCT pg_get_userbyid(c.relowner) AS owner FROM pg_class c
      WHERE c.oid = $1::regclass OR c.oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)`, [`${schema}.audit_entries`]);
    expect(owners.rows.map((r: any) => r.owner)).toEqual([owner]);
    const functions = await client.query(`SELECT DISTINCT pg_get_userbyid(p.proowner) AS owner FROM pg_proc p WHERE p.pronamespace = $1::regnamespace AND p.proname LIKE 'audit_%'`, [schema]);
    expect(functions.rows.map((r: any) => r.owner)).toEqual([owner]);
  });

  test('INSERT and SELECT work', async () => {
    const inserted = await asApp(`INSERT INTO ${schema}.audit_entries (action, details) VALUES ('test.two-roles', '{}') RETURNING id`);
    expect(inserted.rows).toHaveLength(1);
    const read = await asApp(`SELECT count(*)::int AS n FROM ${schema}.audit_entries WHERE action = 'test.two-roles'`);
    expect(read.rows[0].n).toBe(1);
  });

  test.each([
    ['UPDATE', () => `UPDATE ${schema}.audit_entries SET action = 'erased'`],
    ['DELETE', () => `DELETE FROM ${schema}.audit_entries`],
    ['TRUNCATE the table', () => `TRUNCATE ${schema}.audit_entries`],
    ['TRUNCATE a partition', () => `TRUNCATE ${partition}`],
    ['TRUNCATE the default partition', () => `TRUNCATE ${schema}.audit_entries_default`],
    ['DELETE from a partition', () => `DELETE FROM ${partition}`],
    ['INSERT into a partition directly', () => `INSERT INTO ${partition} (action) VALUES ('x')`],
    ['DISABLE TRIGGER on the table', () => `ALTER TABLE ${schema}.audit_entries DISABLE TRIGGER ALL`],
    ['DISABLE TRIGGER on a partition', () => `ALTER TABLE ${partition} DISABLE TRIGGER audit_entries_no_truncate`],
    ['DETACH PARTITION', () => `ALTER TABLE ${schema}.audit_entries DETACH PARTITION ${partition}`],
    ['DROP a partition', () => `DROP TABLE ${partition}`],
    ['DROP the table', () => `DROP TABLE ${schema}.audit_entries CASCADE`],
    ['take the table over', () => `ALTER TABLE ${schema}.audit_entries OWNER TO ${appRole}`],
    ['replace the trigger function', () => `CREATE OR REPLACE FUNCTION ${schema}.audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$`],
    ['hand the trail over to itself', () => `SELECT ${schema}.audit_hand_over('${appRole}', '${owner}')`],
  ])('%s fails', async (_name, sql) => {
    const before = await client.query(`SELECT count(*)::int AS n FROM ${schema}.audit_entries`);
    await expect(asApp(sql())).rejects.toThrow(/permission denied|must be owner|append-only/);
    const after = await client.query(`SELECT count(*)::int AS n FROM ${schema}.audit_entries`);
    expect(after.rows[0].n).toBe(before.rows[0].n);
    expect((await client.query('SELECT to_regclass($1) AS r', [partition])).rows[0].r).not.toBeNull();
  });

  test('a start by the application role (database/postgres/010-audit-trail.sql) works and installs nothing', async () => {
    const sql = fs.readFileSync(path.join(REPOSITORY_ROOT, 'database', 'postgres', '010-audit-trail.sql'), 'utf8').replaceAll('{schema}', `"${schema}"`);
    await asApp(sql);
    const owners = await client.query(`SELECT DISTINCT pg_get_userbyid(relowner) AS owner FROM pg_class WHERE oid IN (SELECT inhrelid FROM pg_inherits WHERE inhparent = $1::regclass)`, [`${schema}.audit_entries`]);
    expect(owners.rows.map((r: any) => r.owner)).toEqual([owner]);
  });

  test('retention through the owner\'s function: old months go, the last 6 months stay whatever the app asks', async () => {
    await client.query(`SET ROLE ${owner}`);
    await client.query(`CREATE TABLE ${schema}.audit_entries_201801 PARTITION OF ${schema}.audit_entries FOR VALUES FROM ('2018-01-01') TO ('2018-02-01')`);
    await client.query('RESET ROLE');
    const months = async () => Number((await client.query(`SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = $1::regclass`, [`${schema}.audit_entries`])).rows[0].n);
    const before = await months();
    const dropped = await asApp(`SELECT ${schema}.audit_drop_expired(0) AS n`);
    expect(dropped.rows[0].n).toBe(1);
    expect(await months()).toBe(before - 1);
    expect((await client.query('SELECT to_regclass($1) AS r', [partition])).rows[0].r).not.toBeNull();
    const created = await asApp(`SELECT ${schema}.audit_ensure_partitions() AS n`);
    expect(created.rows[0].n).toBe(0);
  });
});
