/**
 * The panel's translations stay complete: zh-CN mirrors every key of ra-language-english, and
 * zh-CN and en carry the same keys (no browser needed); and the panel itself, in Chromium, says
 * everything in the reader's language (below).
 */
import request from 'supertest';
import type { Browser, Page } from 'playwright-core';
import englishRa from 'ra-language-english';
import { bootStrapi, DEMO_PASSWORD, type BootedApp } from '../helpers/boot';
import { ensurePanelBuilt, launchChromium, openPage, submitLogin } from '../helpers/panel';
import { residentId } from '../helpers/ids';
import chinese from '../../admin/src/i18n/zh-CN';
import english from '../../admin/src/i18n/en';

const keys = (messages: object, prefix = ''): string[] =>
    Object.entries(messages).flatMap(([key, value]) =>
        value && typeof value === 'object' ? keys(value, `${prefix}${key}.`) : [`${prefix}${key}`]
    );

test('zh-CN translates every react-admin message', () => {
    const missing = keys(englishRa).filter((key) => !keys(chinese).includes(key));
    expect(missing).toEqual([]);
});

test('zh-CN and en have the same keys', () => {
    expect(keys(chinese).sort()).toEqual(keys(english).sort());
});

test('Chinese messages have no plural variants (polyglot uses one form for zh)', () => {
    const withVariants = keys(chinese).filter((key) => {
        const value = key.split('.').reduce((node: any, part) => node?.[part], chinese);
        return typeof value === 'string' && value.includes('||||');
    });
    expect(withVariants).toEqual([]);
});

/**
 * Every page of the menu of a county and of a kindergarten — list, filter menu and the first
 * record's page — read in zh-CN shows no English key, no raw code and no `resources.*` string, and
 * in English no untranslated key; a page the role cannot open says 无权访问; a 三员 administrator
 * lands on the duties of the role; places read by name and are picked by name or pinyin initials.
 */
describe('the panel in both languages, every page of the menu', () => {
    let app: BootedApp;
    let browser: Browser;
    const vocabulary = require('../../config/vocabulary.json');
    const dictionaries = require('../../config/dictionaries.json');
    // codes that must never show raw in zh-CN: every state the vocabulary names, the class grades, yes/no
    const CODES: string[] = [
        ...Object.values(vocabulary.states).filter(Array.isArray).flatMap((states: any) => states.map((s: any) => s.code)),
        ...dictionaries.classGrade.map((g: any) => g.code), 'true', 'false', 'public', 'private', 'operating',
    ].filter((code: string) => /^[a-z-]{4,}$/.test(code));

    beforeAll(async () => {
        ensurePanelBuilt();
        app = await bootStrapi({ listen: true });
        browser = await launchChromium();
        const server = app.strapi.server.httpServer;
        const { body } = await request(server).post('/api/auth/local').send({ identifier: 'demo-kindergarten', password: DEMO_PASSWORD });
        const auth = `Bearer ${body.jwt}`;
        const classes = await request(server).get('/api/school-classes').set('Authorization', auth);
        await request(server).post('/api/children').set('Authorization', auth).send({ data: {
            name: '林小语', formerName: '林语', idType: '1', idNumber: residentId('350502', '20220707', '071'), birthPlace: '350502', nativePlace: '350503', ethnicity: '01',
            nationality: '156', overseasChinese: '00', health: '10', householdRegion: '350502', householdType: '2', address: '鲤城区', phone: '13800000000',
            enrolledOn: '2025-09-01', enrollmentMode: '1', onlyChild: true, schoolClass: classes.body.data[0].documentId,
            guardians: [{ name: '林父', relation: '1', idType: '1', idNumber: residentId('350502', '19900303', '035') }],
        } }).expect(201);
    }, 300_000);

    afterAll(async () => {
        await browser?.close();
        await app?.stop();
    });

    const signedIn = async (username: string, locale = 'zh-CN'): Promise<Page> => {
        const page = await openPage(browser);
        if (locale !== 'zh-CN') await page.addInitScript((value) => localStorage.setItem('RaStore.locale', JSON.stringify(value)), locale);
        await submitLogin(page, app.baseUrl, username);
        // the menu drawn whole (it follows the role's calls from /api/me)
        await page.locator('a[role="menuitem"]').nth(2).waitFor();
        return page;
    };
    /** A list drawn (rows, or its empty message), a record's page, or another page's first content. */
    const settle = async (page: Page) => {
        await page.locator('#main-content table tbody tr, #main-content .RaEmpty-message, #main-content .RaList-noResults, #main-content .RaShow-main, #main-content [data-testid="forbidden"]')
            .first().waitFor({ timeout: 4_000 }).catch(() => undefined);
        await page.locator('#main-content .MuiSkeleton-root').first().waitFor({ state: 'detached', timeout: 2_000 }).catch(() => undefined);
    };
    const problemsOf = (where: string, text: string, locale: string): string[] => {
        const found: string[] = [];
        for (const key of text.match(/\b(resources|app|ra)\.[a-z_-]+\.[\w.-]+/g) ?? []) found.push(`${where}: key ${key}`);
        if (locale === 'zh-CN') {
            for (const code of CODES) if (new RegExp(`(^|[^\\w-])${code}($|[^\\w-])`).test(text)) found.push(`${where}: raw code ${code}`);
            for (const words of text.match(/\b[A-Za-z]{3,}(?: [A-Za-z]{3,})+\b/g) ?? []) found.push(`${where}: English "${words}"`);
        }
        return found;
    };
    /** Every page of the menu: the list, its filter menu, and the first record's page. */
    const walk = async (page: Page, locale: string, withRecords: boolean): Promise<string[]> => {
        const found: string[] = [];
        const targets = await page.locator('a[role="menuitem"]').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? '').filter((href) => href.startsWith('#/')));
        expect(targets.length).toBeGreaterThan(5);
        for (const target of targets) {
            if (process.env.DEBUG_WALK) console.log(new Date().toISOString(), target);
            await page.goto(`${app.baseUrl}/${target}`);
            await settle(page);
            found.push(...problemsOf(target, await page.locator('#main-content').innerText(), locale));
            const addFilter = page.locator('#main-content button[aria-label="添加筛选条件"]:visible, #main-content button[aria-label="Add filter"]:visible').first();
            if (await addFilter.count()) {
                await addFilter.click({ timeout: 5_000 });
                const menu = page.locator('.MuiMenu-list[role="menu"]:visible').last();
                found.push(...problemsOf(`${target} filter menu`, await menu.innerText({ timeout: 5_000 }), locale));
                await page.keyboard.press('Escape');
                await page.locator('.MuiPopover-root:has(.MuiMenu-list) .MuiBackdrop-root:visible').first().waitFor({ state: 'hidden', timeout: 3_000 }).catch(() => undefined);
            }
            const firstRow = page.locator('#main-content table tbody tr.RaDatagrid-row').first();
            if (withRecords && (await firstRow.count())) {
                await firstRow.click();
                await settle(page);
                found.push(...problemsOf(`${target} record`, await page.locator('#main-content').innerText(), locale));
            }
        }
        return found;
    };

    test('zh-CN: every page of the menu says it in Chinese, places by name and picked by name; 无权访问 where a role may not go; the 三员 land on their duties', async () => {
        const county = await signedIn('demo-county');
        const found = await walk(county, 'zh-CN', false);
        // a kindergarten's county by name, the code on hover
        await county.goto(`${app.baseUrl}/#/kindergartens`);
        await county.locator('#main-content [data-region-code="350502"]').first().waitFor();
        expect(await county.locator('#main-content [data-region-code="350502"]').first().innerText()).toBe('福建省泉州市鲤城区');
        // pages the county may not open: 无权访问 and what to do, not a blank page or an empty list beside a refusal
        for (const target of ['#/permission-matrix', '#/custom-fields']) {
            await county.goto(`${app.baseUrl}/${target}`);
            await county.getByTestId('forbidden').waitFor();
            const text = await county.locator('#main-content').innerText();
            expect(text).toContain('无权访问');
            expect(text).toContain('请联系上级管理部门');
            expect(text).not.toMatch(/第 ?1-50 条|没有找到/);
        }
        await county.context().close();

        const kindergarten = await signedIn('demo-kindergarten');
        found.push(...(await walk(kindergarten, 'zh-CN', true)));
        expect(found).toEqual([]);
        // the child's page: 曾用名, places by name, the state in the one vocabulary's word
        await kindergarten.goto(`${app.baseUrl}/#/children`);
        await kindergarten.getByText('林小语').click();
        await kindergarten.getByText('林语').waitFor();
        const shown = await kindergarten.locator('#main-content').innerText();
        expect(shown).toContain('福建省泉州市鲤城区');
        expect(shown).toContain('福建省泉州市丰泽区');
        expect(shown).toContain('待审核');
        // the region picker: pinyin initials find a county and fill the levels above; a typed code is taken
        await kindergarten.goto(`${app.baseUrl}/#/children/create`);
        const birthPlace = kindergarten.locator('[data-region-input="birthPlace"]');
        await birthPlace.locator('input[data-region-level="county"]').fill('lcq');
        await kindergarten.getByRole('option', { name: /鲤城区/ }).first().click();
        await birthPlace.getByText('福建省泉州市鲤城区（350502）').waitFor();
        expect(await birthPlace.locator('input[data-region-level="province"]').inputValue()).toBe('福建省');
        expect(await birthPlace.locator('input[data-region-level="prefecture"]').inputValue()).toBe('泉州市');
        await kindergarten.locator('input[name="householdRegion"]').fill('350203');
        await kindergarten.locator('[data-region-input="householdRegion"]').getByText('福建省厦门市思明区（350203）').waitFor();
        await kindergarten.screenshot({ path: '/tmp/region-picker.png', fullPage: true });
        await kindergarten.context().close();

        // the security administrator lands on the duties of the role
        const secadmin = await signedIn('demo-secadmin');
        await secadmin.getByText('我的职责').first().waitFor();
        await secadmin.getByTestId('policy-changed').waitFor();
        expect(await secadmin.locator('#main-content').innerText()).toContain('安全策略');
        await secadmin.context().close();
    }, 360_000);

    test('English: no untranslated key on any page of the menu', async () => {
        const county = await signedIn('demo-county', 'en');
        await county.getByRole('menuitem', { name: 'Dashboard' }).waitFor();
        // the statistics' names come from the server in both languages (config/indicators.json labelsEn)
        await county.getByText('Gross enrolment rate (3 years)').first().waitFor();
        await county.getByText('Hazards overdue for rectification').first().waitFor();
        expect(await county.locator('#main-content').innerText()).not.toMatch(/学前三年毛入园率|逾期未整改安全隐患数|体检率/);
        expect(await walk(county, 'en', false)).toEqual([]);
        await county.context().close();
    }, 240_000);
});
