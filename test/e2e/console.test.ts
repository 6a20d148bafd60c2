/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { account, http, system, type TestAccount } from '../system/client';
import { approve, decide, declare, staffOf, type GateStaff } from '../system/crossing-flow';
import { gateWithDeadlines } from '../system/test-gate';
import { accessibilityViolations, launch, openTab, PHONE, screenshot, signIn, type Tab } from './browser';

/**
 * The console, as the people at a gate use it: each test one person's story in a real browser (Debian's chromium),
 * against the real system. Every screen is scanned with axe-core, and a test fails on any script error, any
 * `console.error` and any answer of 500 or more.
 */
const PLAIN = ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit'];
let browser: Browser;
const tabs: Tab[] = [];

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(() => {
  const errors = tabs.splice(0).flatMap((t) => t.errors);
  expect(errors).toEqual([]);
});

async function tab(viewport?: { width: number; height: number }): Promise<Tab> {
  const opened = await openTab(browser, viewport);
  tabs.push(opened);
  return opened;
}

async function expectAccessible(page: Page): Promise<void> {
  expect(await accessibilityViolations(page)).toEqual([]);
}

/** Presses Tab until the focus is on an element matching `selector` (a person reaching it from the keyboard). */
async function tabTo(page: Page, selector: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${selector} was not reached with ${limit} presses of Tab`);
}

describe('the console', () => {
  let gate: string;
  let staff: GateStaff;
  let company: TestAccount;

  beforeAll(async () => {
    gate = await gateWithDeadlines([]);
    staff = await staffOf(gate);
    company = await account('DECLARANT', [gate]);
  });

  it('shows the sign-in in Vietnamese first, English on the switch, and a wrong password as the API says it', async () => {
    const { page } = await tab();
    await page.waitForSelector('#username');
    expect(await page.textContent('h1')).toBe('Đăng nhập');
    await expectAccessible(page);
    await screenshot(page, 'sign-in');
    await page.fill('#username', staff.health.username);
    await page.fill('#password', 'not the password');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.problem');
    expect(await page.textContent('.problem')).toMatch(/Unauthorized|401|password|credentials/i);
    await page.click('text=English');
    expect(await page.textContent('h1')).toBe('Sign in');
    await page.click('text=Tiếng Việt');
    expect(await page.textContent('h1')).toBe('Đăng nhập');
  });

  it('an officer sees a new truck appear without a reload and approves it from the keyboard', async () => {
    const { page } = await tab();
    await signIn(page, staff.health);
    await page.waitForSelector('#queue-title');
    expect(await page.textContent('#queue-title')).toContain('Kiểm dịch y tế');

    const crossing = await declare(company, { gate });
    const plate = crossing.declaration.vehicle.plate.replace(/[-.\s]/g, '');
    const row = page.locator(`tr[data-crossing="${crossing.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.textContent()).toContain(plate);
    await expectAccessible(page);

    await tabTo(page, `tr[data-crossing="${crossing.id}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.card .decide');
    await expectAccessible(page);
    await screenshot(page, 'officer-queue');
    await page.keyboard.press('a');
    await page.waitForSelector('.decide-form button[type="submit"]:focus');
    await page.keyboard.press('Enter');
    await row.waitFor({ state: 'detached', timeout: 15_000 });

    const view = await http('GET', `/v1/crossings/${crossing.id}`, { token: staff.manager.token });
    expect(view.body.steps.find((s: any) => s.step === 'health-check')).toMatchObject({ status: 'APPROVED', decidedBy: staff.health.id });
    expect(view.body.currentStep).toBe('border-entry');
  });

  it('at a phone width, the officer still reads the queue and opens a truck', async () => {
    const crossing = await declare(company, { gate });
    const { page } = await tab(PHONE);
    await signIn(page, staff.health);
    const row = page.locator(`tr[data-crossing="${crossing.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    await row.click();
    await page.waitForSelector('.card .decide');
    await expectAccessible(page);
    await screenshot(page, 'officer-phone');
    // Nothing wider than the screen: no sideways scrolling of the page itself.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
  });

  it('a declarant gets field errors, corrects a returned form and sees it move on', async () => {
    const { page } = await tab();
    await signIn(page, company);
    await page.click('header >> text=Khai báo mới');
    await page.waitForSelector('#declare-title');

    // A form with mistakes: every one is shown at its field, and the summary links to them.
    await page.fill('#f-vehicle-plate', 'NOT A PLATE');
    await page.fill('#f-customsDeclarationNo', '123');
    await page.click('button[type="submit"]');
    await page.waitForSelector('.problem[role="alert"]');
    expect(await page.textContent('#f-vehicle-plate-error')).toContain('biển số');
    expect(await page.textContent('#f-customsDeclarationNo-error')).toContain('12 chữ số');
    expect(await page.getAttribute('#f-vehicle-plate', 'aria-invalid')).toBe('true');
    await expectAccessible(page);
    await screenshot(page, 'declarant-form-errors');

    // Corrected and complete, it is accepted.
    await page.selectOption('#f-gate', gate);
    await page.fill('#f-customsDeclarationNo', '305123456789');
    await page.fill('#f-vehicle-plate', '12C-345.67');
    await page.fill('#f-vehicle-grossWeightKg', '32000');
    await page.fill('#f-driver-fullName', 'Nguyễn Văn An');
    await page.fill('#f-driver-idNumber', '001090012345');
    await page.fill('#f-driver-phone', '+84912345678');
    await page.fill('#f-health-temperatureC', '36.6');
    await page.fill('#f-goods-0-hsCode', '40012200');
    await page.fill('#f-goods-0-description', 'Cao su tự nhiên');
    await page.fill('#f-goods-0-quantity', '20');
    await page.fill('#f-goods-0-unit', 'PALLET');
    await page.fill('#f-goods-0-netWeightKg', '20000');
    await page.fill('#f-goods-0-valueUsd', '34000');
    await page.click('button[type="submit"]');
    await page.waitForURL(/#\/crossings\//);
    const id = page.url().split('#/crossings/')[1];
    await page.waitForSelector('.card .steps');
    expect(await page.textContent('.summary')).toContain('Kiểm dịch y tế');

    // Health returns it: the card updates by itself, and the correction shows the reason beside the field.
    const returned = await decide(staff.health, id, 'health-check', {
      outcome: 'RETURN',
      reason: 'Số lượng không khớp',
      fields: [{ path: 'goods.0.quantity', message: 'Đếm lại số kiện' }],
    });
    expect(returned.status).toBe(200);
    await page.waitForSelector('text=Sửa tờ khai', { timeout: 15_000 });
    await screenshot(page, 'declarant-returned');
    await page.click('text=Sửa tờ khai');
    await page.waitForSelector('#f-goods-0-quantity');
    expect(await page.textContent('#f-goods-0-quantity-note')).toContain('Đếm lại số kiện');
    expect(await page.textContent('.returned')).toContain('Số lượng không khớp');
    await expectAccessible(page);
    await page.fill('#f-goods-0-quantity', '22');
    await page.click('button[type="submit"]');
    await page.waitForURL(new RegExp(`#/crossings/${id}$`));
    await page.waitForSelector('text=Đã sửa ở phiên bản 2: goods.0.quantity');

    const view = await http('GET', `/v1/crossings/${id}`, { token: company.token });
    expect(view.body).toMatchObject({ status: 'IN_PROGRESS', currentStep: 'health-check', declarationVersion: 2 });
    expect(view.body.declaration.goods[0].quantity).toBe(22);
    await expectAccessible(page);
    await screenshot(page, 'declarant-crossing');
  });

  it('a declarant pays the fee online in the provider page and downloads the receipt', async () => {
    const crossing = await declare(company, { gate });
    await approve(staff, crossing.id, ['health-check', 'border-entry', 'customs-inspection']);
    const { page } = await tab();
    await signIn(page, company);
    await page.click(`a[href="#/crossings/${crossing.id}"]`);
    await page.waitForSelector('button:has-text("Thanh toán trực tuyến")');
    const [provider] = await Promise.all([page.context().waitForEvent('page'), page.click('button:has-text("Thanh toán trực tuyến")')]);
    await provider.waitForSelector('button:has-text("Pay (simulated)")');
    await provider.click('button:has-text("Pay (simulated)")');
    await provider.waitForLoadState();
    await page.waitForSelector('text=Đã nộp', { timeout: 15_000 });
    await page.waitForSelector('button:has-text("Tải Biên lai phí")', { timeout: 15_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button:has-text("Tải Biên lai phí")')]);
    expect(download.suggestedFilename()).toMatch(/^fee-receipt-.*\.pdf$/);
    const view = await http('GET', `/v1/crossings/${crossing.id}`, { token: company.token });
    expect(view.body).toMatchObject({ currentStep: 'border-exit', fee: { status: 'PAID' } });
  });

  it("the manager's board shows the same numbers as /v1/stats", async () => {
    const board = await gateWithDeadlines([]);
    const people = await staffOf(board);
    const declarant = await account('DECLARANT', [board]);
    const cleared = await declare(declarant, { gate: board });
    await approve(people, cleared.id, PLAIN);
    const denied = await declare(declarant, { gate: board });
    await decide(people.health, denied.id, 'health-check', { outcome: 'DENY', reason: 'Sốt cao' });
    const open = await declare(declarant, { gate: board });
    await approve(people, open.id, ['health-check']);

    const { page } = await tab();
    await signIn(page, people.manager);
    await page.waitForSelector('ul.tiles');
    const stats = (await http('GET', `/v1/stats/gates/${board}`, { token: people.manager.token })).body;
    const tiles = await page.$$eval('ul.tiles li', (lis) => lis.map((li) => Number(li.querySelector('.tile-n')?.textContent)));
    expect(tiles).toEqual([stats.declared, stats.cleared, stats.denied, stats.expired, stats.cancelled]);
    expect(tiles).toEqual([3, 1, 1, 0, 0]);
    for (const step of PLAIN) {
      const cell = (measure: string) => page.textContent(`tr[data-step="${step}"] td[data-measure="${measure}"]`);
      expect(Number(await cell('open'))).toBe(stats.open.byStep[step] ?? 0);
      expect(Number(await cell('overdue'))).toBe(stats.overdue.byStep[step] ?? 0);
      expect(Number(await cell('decisions'))).toBe(stats.dwell.byStep[step]?.count ?? 0);
    }
    // Every hour of the last 24 that the period touches (24, or 25 when not on the hour; the page asked a moment earlier).
    expect(await page.$$eval('figure.chart rect', (rects) => rects.length)).toBeGreaterThanOrEqual(24);
    await expectAccessible(page);
    await screenshot(page, 'manager-board');

    // Search by plate finds the truck and opens its card with its history.
    await page.fill('#plate-search', open.declaration.vehicle.plate);
    await page.click('button:has-text("Tìm")');
    await page.click(`a[href="#/crossings/${open.id}"]`);
    await page.waitForSelector('details summary:has-text("Lịch sử")');
    await expectAccessible(page);
  });

  it("a declarant cannot see another company's truck in the console", async () => {
    const mine = await declare(company, { gate });
    const other = await account('DECLARANT', [gate]);
    const { page } = await tab();
    await signIn(page, other);
    await page.waitForSelector('#mine-title');
    await page.waitForSelector('.empty');
    expect(await page.locator(`tr[data-crossing="${mine.id}"]`).count()).toBe(0);
    await page.goto(`${page.url().split('#')[0]}#/crossings/${mine.id}`);
    await page.waitForSelector('.problem');
    expect(await page.textContent('.problem')).toContain('There is no crossing with this id.');
    expect(await page.textContent('body')).not.toContain(mine.declaration.vehicle.plate);
    await screenshot(page, 'declarant-other-company');
  });

  it('an admin edits a step deadline, sees how many running trucks it reaches, and reads accounts and fee rates', async () => {
    const { page } = await tab();
    await signIn(page, { username: 'admin', password: system().adminPassword });
    await page.waitForSelector('#accounts-title');
    await page.waitForSelector('table tbody tr');
    await expectAccessible(page);
    await screenshot(page, 'admin-accounts');

    await page.click('header >> text=Thời hạn các bước');
    await page.waitForSelector('#deadlines-title');
    await page.waitForSelector('table tbody tr');
    await expectAccessible(page);
    await page.click('button[aria-label="Sửa hàng * / * / health-check"]');
    await page.fill('#dl-gate', gate);
    await page.fill('#dl-sla', 'PT50M');
    await page.fill('#dl-expire', 'PT6H');
    await page.click('button:has-text("Lưu")');
    await page.waitForSelector('.saved');
    expect(await page.textContent('.saved')).toMatch(/Đã lưu phiên bản \d+\. Áp dụng ngay cho \d+ xe đang chờ ở bước này\./);
    await screenshot(page, 'admin-deadlines');

    await page.click('header >> text=Biểu phí');
    await page.waitForSelector('#rates-title');
    await page.waitForSelector('table tbody tr');
    await expectAccessible(page);
  });
});
