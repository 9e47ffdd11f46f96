import crypto from 'node:crypto';
import ExcelJS from 'exceljs';
import request from 'supertest';
import type { BootedApp } from './boot';
import { DEMO_PASSWORD } from './boot';

export type Session = {
  username: string;
  jwt: string;
  get: (url: string) => request.Test;
  post: (url: string, body?: object) => request.Test;
  put: (url: string, body?: object) => request.Test;
  del: (url: string) => request.Test;
};

/** Logs in through Strapi's own route (answered by the system's login) and returns request helpers carrying the token. */
export async function login(app: BootedApp, username: string, password = DEMO_PASSWORD): Promise<Session> {
  const server = app.strapi.server.httpServer;
  const response = await request(server).post('/api/auth/local').send({ identifier: username, password });
  if (response.status !== 200) throw new Error(`login ${username}: ${response.status} ${JSON.stringify(response.body)}`);
  const jwt = response.body.jwt as string;
  if (response.body.mustChangePassword) {
    // A new or reset account must change its temporary password first (cms/src/security): the
    // helper does so, with a password that follows config/security.json, and keeps the session.
    const changed = await request(server).post('/api/auth/change-password').set('Authorization', `Bearer ${jwt}`)
      .send({ currentPassword: password, password: `Chg#${crypto.randomBytes(6).toString('hex')}Aa9` });
    if (changed.status !== 200) throw new Error(`change password ${username}: ${changed.status} ${JSON.stringify(changed.body)}`);
  }
  const auth = (test: request.Test) => test.set('Authorization', `Bearer ${jwt}`);
  return {
    username,
    jwt,
    get: (url) => auth(request(server).get(url)),
    post: (url, body?) => (body === undefined ? auth(request(server).post(url)) : auth(request(server).post(url).send(body))),
    put: (url, body = {}) => auth(request(server).put(url).send(body)),
    del: (url) => auth(request(server).delete(url)),
  };
}

export function anonymous(app: BootedApp) {
  return request(app.strapi.server.httpServer);
}

/** The documentId of a kindergarten by its 机构标识码, read as the system (no scope). */
export async function kindergartenId(app: BootedApp, code: string): Promise<string> {
  const row = await app.strapi.db.query('api::kindergarten.kindergarten').findOne({ where: { code } });
  if (!row) throw new Error(`no kindergarten ${code}`);
  return row.documentId;
}

export const DEMO = {
  /** 鲤城区 (泉州市) */
  licheng: ['3135050201', '3135050202', '3135050203'],
  /** 丰泽区 (泉州市) */
  fengze: ['3135050301', '3135050302'],
  /** 石狮市 (泉州市) */
  shishi: ['3135058101'],
  /** 思明区 (厦门市) */
  siming: ['3135020301', '3135020302'],
  /** 湖里区 (厦门市) */
  huli: ['3135020601', '3135020602'],
};

/** A supertest parser keeping the body as bytes (a workbook download): `.buffer(true).parse(binary)`. */
export const binary = (res: any, callback: (error: Error | null, body: Buffer) => void) => {
  const chunks: Buffer[] = [];
  res.on('data', (chunk: Buffer) => chunks.push(chunk));
  res.on('end', () => callback(null, Buffer.concat(chunks)));
};

/** An upload: one sheet named `sheetName`, the headers, the rows as given. */
export async function workbookOf(sheetName: string, headers: string[], rows: unknown[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet(sheetName);
  sheet.addRow(headers);
  for (const row of rows) sheet.addRow(row);
  return Buffer.from(await book.xlsx.writeBuffer());
}
