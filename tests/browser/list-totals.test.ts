/**
 * @database-specific (runs on PostgreSQL too: jest.config.js)
 * The panel's list of a very large reach: on PostgreSQL the province's children list reads
 * "共约 N 条" when the server estimated the total (cms/src/domain/list-counts.ts; the limit is lowered
 * here so the 30 demo children count as very many), and a county's list stays exact. On SQLite every
 * total is exact.
 */
import type { Browser, Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';

const postgres = Boolean(process.env.DATABASE_URL);
let app: BootedApp;
let browser: Browser;
let inProvince: number;
let inKindergarten: number;

beforeAll(async () => {
  ensurePanelBuilt();
  process.env.SEED_DEMO_CHILDREN = 'true';
  app = await bootStrapi({ listen: true });
  delete process.env.SEED_DEMO_CHILDREN;
  const children = app.strapi.db.query('api::child.child');
  inProvince = await children.count({ where: { countyCode: { $startsWith: '35' } } });
  inKindergarten = await children.count({ where: { institutionCode: '3135050201' } });
  if (postgres) await app.strapi.db.connection.raw('ANALYZE children');
  process.env.LIST_EXACT_COUNT_UP_TO = String(inKindergarten);
  browser = await launchChromium();
}, 300_000);

afterAll(async () => {
  delete process.env.LIST_EXACT_COUNT_UP_TO;
  await browser?.close();
  await app?.stop();
});

async function childrenListOf(username: string): Promise<Page> {
  const page = await openPage(browser);
  await submitLogin(page, app.baseUrl, username);
  await page.getByRole('menuitem', { name: '幼儿学籍' }).click();
  await page.waitForURL(/#\/children/);
  await page.locator('table tbody tr').first().waitFor();
  return page;
}

const rangeText = (page: Page) => page.locator('.MuiTablePagination-displayedRows').innerText();

test('the province\'s list: an estimated total reads 共约 (PostgreSQL), an exact one 共 N 条 (SQLite)', async () => {
  const page = await childrenListOf('demo-province');
  if (postgres) {
    await page.getByTestId('estimated-total').waitFor();
    expect(await rangeText(page)).toMatch(/^第 1-\d+ 条，共约 [\d,]+ 条$/);
    const total = Number((await rangeText(page)).match(/共约 ([\d,]+) 条/)![1].replace(/,/g, ''));
    expect(total).toBeGreaterThan(inKindergarten);
  } else {
    await page.getByText(`共 ${inProvince} 条`).waitFor();
    expect(await page.getByTestId('estimated-total').count()).toBe(0);
  }
  await page.context().close();
});

test('a kindergarten\'s list, up to the limit, is exact on every database', async () => {
  const page = await childrenListOf('demo-kindergarten');
  await page.getByText(`共 ${inKindergarten} 条`).waitFor();
  expect(await page.getByTestId('estimated-total').count()).toBe(0);
  await page.context().close();
});
