/**
 * Custom fields in the panel: the province adds a required yes/no field "是否接种疫苗"
 * for children on its 自定义字段 page — by its name only: no key is asked (it is made from the name
 * in pinyin), formats are offered by name (手机号码…); a kindergarten's 新增幼儿 form then shows it,
 * saving without it is refused with the field's message, and with it the child is saved with the value.
 */
import { type Browser, type Page } from 'playwright-core';
import { bootStrapi, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';
import { residentId } from '../helpers/ids';

let app: BootedApp;
let browser: Browser;

beforeAll(async () => {
    ensurePanelBuilt();
    app = await bootStrapi({ listen: true });
    browser = await launchChromium();
}, 300_000);

afterAll(async () => {
    await browser?.close();
    await app?.stop();
});

async function signIn(username: string): Promise<Page> {
    const page = await openPage(browser);
    await submitLogin(page, app.baseUrl, username);
    await page.getByRole('menuitem').first().waitFor();
    return page;
}

/** Picks an option of a react-admin SelectInput by its source. */
async function choose(page: Page, source: string, option: string) {
    await page.locator(`div:has(> input[name="${source}"]) > [role="combobox"]`).click();
    await page.getByRole('option', { name: option, exact: true }).click();
}

test('the province adds a required yes/no field for children; a kindergarten cannot save a new child without it', async () => {
    // 省级: 自定义字段 → 新建
    const province = await signIn('demo-province');
    await province.getByRole('menuitem', { name: '自定义字段' }).click();
    await province.waitForURL(/#\/custom-fields/);
    await province.goto(`${app.baseUrl}/#/custom-fields/create`);
    await province.locator('input[name="label"]').fill('是否接种疫苗');
    // no key to invent: it is shown only under 高级选项; text formats are named
    expect(await province.locator('input[name="key"]').count()).toBe(0);
    await province.locator('div:has(> input[name="format"]) > [role="combobox"]').click();
    await province.getByRole('option', { name: '手机号码（如 13812345678）' }).waitFor();
    await province.getByRole('option', { name: '不限' }).click();
    await choose(province, 'type', '是/否');
    await province.locator('input[name="required"]').check();
    await province.locator('input[name="help"]').fill('按预防接种证填写');
    await province.getByRole('button', { name: '保存' }).click();
    await province.waitForURL(/#\/custom-fields$/);
    await province.locator('table').getByText('是否接种疫苗').waitFor();
    const key = 'shi_fou_jie_zhong_yi_miao';
    const definition = await app.strapi.db.query('api::custom-field.custom-field').findOne({ where: { key } });
    expect(definition).toMatchObject({ entity: 'child', label: '是否接种疫苗', type: 'boolean', required: true, regionCode: '350000', retired: false, format: null });
    // nor is the key a column of the list
    expect(await province.locator('table thead').innerText()).not.toContain('字段键');

    // 幼儿园: 新增幼儿 with the usual fields but not the new one
    const kindergarten = await signIn('demo-kindergarten');
    await kindergarten.goto(`${app.baseUrl}/#/children/create`);
    await kindergarten.locator('input[name="name"]').fill('温小禾');
    await kindergarten.locator('input[name="idNumber"]').fill(residentId('350502', '20220708', '041'));
    await kindergarten.waitForFunction(() => (document.querySelector('input[name="birthDate"]') as HTMLInputElement)?.value === '2022-07-08');
    await kindergarten.locator('input[name="birthPlace"]').fill('350502');
    await kindergarten.locator('input[name="nativePlace"]').fill('福建泉州');
    await kindergarten.locator('input[name="householdRegion"]').fill('350502');
    await choose(kindergarten, 'householdType', '非农业');
    await kindergarten.locator('input[name="address"]').fill('鲤城区中山路 9 号');
    await kindergarten.locator('input[name="phone"]').fill('13800000009');
    await kindergarten.locator('input[name="enrolledOn"]').fill('2025-09-01');
    await choose(kindergarten, 'schoolClass', '小一班');
    await kindergarten.getByRole('button', { name: '添加' }).click();
    await kindergarten.locator('input[name="guardians.0.name"]').fill('温父');
    await choose(kindergarten, 'guardians.0.relation', '父亲');
    await kindergarten.locator('input[name="guardians.0.idNumber"]').fill(residentId('350502', '19890909', '051'));
    // the custom field is in the form, with its help text
    await kindergarten.getByText('按预防接种证填写').waitFor();
    const before = await app.strapi.db.query('api::child.child').count();
    await kindergarten.getByRole('button', { name: '保存' }).click();
    await kindergarten.getByText('是否接种疫苗必填').first().waitFor();
    await kindergarten.screenshot({ path: '/tmp/custom-field-refused.png', fullPage: true });
    expect(kindergarten.url()).toMatch(/#\/children\/create/);
    expect(await app.strapi.db.query('api::child.child').count()).toBe(before);

    // then it answers the question and saves
    await choose(kindergarten, `customFields.${key}`, '是');
    await kindergarten.getByRole('button', { name: '保存' }).click();
    await kindergarten.waitForURL(/#\/children\/[^/]+\/show/);
    const saved = await app.strapi.db.query('api::child.child').findOne({ where: { name: '温小禾' } });
    expect(saved.customFields).toEqual({ [key]: true });
    // the record's page shows the value under its label
    await kindergarten.goto(`${app.baseUrl}/#/children/${saved.documentId}/show/household`);
    expect(await kindergarten.getByTestId(`custom-${key}`).innerText()).toBe('是');

    // the list shows the field as a column
    await kindergarten.getByRole('menuitem', { name: '幼儿学籍' }).click();
    const table = kindergarten.locator('table');
    await table.getByText('温小禾').waitFor();
    // the rows can come before the field definitions: the column appears once they are in
    await table.locator('thead').getByText('是否接种疫苗').waitFor();
    expect(await table.locator('thead').innerText()).toContain('是否接种疫苗');
}, 180_000);
