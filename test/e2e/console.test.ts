/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import { signDeviceRequest } from '../../api/device-signature';
import { account, asAdmin, http, system, type TestAccount } from '../system/client';
import { approve, decide, declare, staffOf, waitFor, type GateStaff } from '../system/crossing-flow';
import { gateWithDeadlines } from '../system/test-gate';
import { browserSession, expectAccessible, PHONE, screenshot, signIn, tabTo } from './browser';

/**
 * The console, as the people at a gate use it: each test one person's story in a real browser (Debian's chromium),
 * against the real system. Every screen is scanned with axe-core, and a test fails on any script error, any
 * `console.error` and any answer of 500 or more.
 */
const PLAIN = ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit'];
const { tab } = browserSession();

/** A camera or barrier controller registered by the admin, with the secret it signs its reads with. */
async function device(gate: string, point: string, kind: string, extra: Record<string, unknown> = {}) {
  const code = `D-${randomUUID().slice(0, 8).toUpperCase()}`;
  const res = await http('POST', '/v1/admin/devices', { token: await asAdmin(), body: { code, gate, point, kind, ...extra } });
  if (res.status !== 201) throw new Error(`registering a device failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { code, secret: res.body.secret as string };
}

/** A plate read as the device sends it: signed over its raw bytes. */
async function plateRead(dev: { code: string; secret: string }, plate: string, confidence: number, at = new Date()) {
  const eventId = `e2e-${randomUUID()}`;
  const body = JSON.stringify({ eventId, plate, at: at.toISOString(), confidence });
  const res = await http('POST', '/v1/gate-events', {
    body,
    headers: { 'content-type': 'application/json', 'X-Device': dev.code, 'X-Signature': signDeviceRequest(dev.secret, body) },
  });
  if (res.status !== 200) throw new Error(`the read was refused: ${res.status} ${JSON.stringify(res.body)}`);
  return { eventId, answer: res.body };
}

const vehicle = (plate: string) => ({ plate, trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 });

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

  it('a guard confirms a doubtful plate read from the exception list, the arrival shows on the card, and customs sets the green channel', async () => {
    const floor = await gateWithDeadlines([]);
    const people = await staffOf(floor);
    const declarant = await account('DECLARANT', [floor]);
    const truck = await declare(declarant, { gate: floor, vehicle: vehicle('29B-123.45') });
    await approve(people, truck.id, ['health-check']);
    const barrier = await device(floor, 'BARRIER_ENTRY', 'BARRIER');
    // A read too unsure to match anything, which stays on the list.
    await plateRead(barrier, '51C-888.21', 0.41, new Date(Date.now() - 30_000));
    // The camera reads B as 8: a match only by that confusion, so the barrier holds and the guard is asked.
    const doubtful = await plateRead(barrier, '298-123.45', 0.95, new Date(Date.now() - 5_000));
    expect(doubtful.answer).toMatchObject({ crossingId: null, action: 'HOLD' });
    await plateRead(barrier, '298-123.45', 0.93);

    const { page } = await tab();
    await signIn(page, people.guard);
    await page.click('header >> text=Biển số cần xử lý');
    await page.waitForSelector('#exceptions-title');
    const entry = page.locator(`article[data-event="${doubtful.eventId}"]`);
    await entry.waitFor({ timeout: 15_000 });
    const words = await entry.textContent();
    expect(words).toContain('298-123.45');
    expect(words).toContain('Khớp không chắc chắn');
    expect(words).toContain('Barie vào');
    expect(words).toContain('95 %');
    expect(words).toContain('1 lần');
    expect(words).toContain('chỉ khớp với xe 29B12345');
    await entry.locator('button:has-text("Xác nhận là xe 29B-123.45")').waitFor();
    expect(await page.locator('article[data-event]').count()).toBe(2);
    await expectAccessible(page);
    await screenshot(page, 'guard-exceptions');

    // The same list on the guard's phone.
    const phone = await tab(PHONE);
    await signIn(phone.page, people.guard);
    await phone.page.goto(`${phone.page.url().split('#')[0]}#/exceptions`);
    await phone.page.locator(`article[data-event="${doubtful.eventId}"] button:has-text("Xác nhận là xe")`).waitFor({ timeout: 15_000 });
    await expectAccessible(phone.page);
    await screenshot(phone.page, 'guard-exceptions-phone');
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // One click confirms it: the entry leaves the list, and the truck's card shows the arrival, confirmed by the guard.
    await entry.locator('button:has-text("Xác nhận là xe 29B-123.45")').click();
    await entry.waitFor({ state: 'detached', timeout: 15_000 });
    expect(await page.textContent('.saved')).toContain('Đã liên kết biển đọc được 298-123.45 với xe 29B-123.45');
    const listed = await http('GET', '/v1/gate-events?unmatched=true', { token: people.guard.token });
    expect(listed.body.items.map((e: any) => e.eventId)).not.toContain(doubtful.eventId);
    await waitFor(people.guard.token, truck.id, (v) => v.arrivals.some((a: any) => a.eventId === doubtful.eventId));
    await page.click('.saved a');
    const arrival = page.locator('.arrivals li', { hasText: 'Barie vào' });
    await arrival.waitFor({ timeout: 15_000 });
    expect(await arrival.textContent()).toContain('biên phòng xác nhận');
    expect(await arrival.textContent()).toContain(barrier.code);
    await expectAccessible(page);
    await screenshot(page, 'truck-card-arrivals');

    // The unsure read is linked by hand: the guard searches the plate (prefilled as read) among the trucks at the barrier.
    const second = await declare(declarant, { gate: floor, vehicle: vehicle('51C-888.21') });
    await approve(people, second.id, ['health-check']);
    await page.click('header >> text=Biển số cần xử lý');
    const unsure = page.locator('article[data-event]', { hasText: '51C-888.21' });
    await unsure.locator('button:has-text("Liên kết với một chuyến xe")').click();
    await page.waitForFunction(() => (document.activeElement as HTMLInputElement | null)?.value === '51C-888.21');
    await page.keyboard.press('Enter');
    // The lookup answers with the plate as it was declared.
    await unsure.locator('button:has-text("Liên kết với 51C-888.21")').click();
    await unsure.waitFor({ state: 'detached', timeout: 15_000 });
    await page.waitForSelector('text=Không có lần đọc biển số nào cần xử lý.');
    await waitFor(people.guard.token, second.id, (v) => v.arrivals.some((a: any) => a.confirmedBy === people.guard.id));

    // Admitted, the truck reaches customs, which sees its channel (red until set) and sets it green: inspection passes.
    await approve(people, truck.id, ['border-entry']);
    const customs = await tab();
    await signIn(customs.page, people.customs);
    const row = customs.page.locator(`tr[data-crossing="${truck.id}"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('td[data-channel]').textContent()).toBe('Luồng đỏ');
    await row.click();
    const pick = customs.page.locator('select[id^="channel-"]');
    await pick.waitFor();
    await pick.selectOption('GREEN');
    await expectAccessible(customs.page);
    await screenshot(customs.page, 'customs-channel');
    await customs.page.click('button:has-text("Lưu phân luồng")');
    await customs.page.waitForSelector('.card .saved:has-text("Đã đặt Luồng xanh")');
    await customs.page.waitForSelector('.card .steps li:has-text("hệ thống (luồng xanh)")', { timeout: 15_000 });
    await row.waitFor({ state: 'detached', timeout: 15_000 });
    const view = await http('GET', `/v1/crossings/${truck.id}`, { token: people.manager.token });
    expect(view.body.customsChannel).toBe('GREEN');
    expect(view.body.steps.find((s: any) => s.step === 'customs-inspection')).toMatchObject({ status: 'APPROVED', decidedBy: 'system' });
    expect(view.body.currentStep).toBe('fee-payment');
  });

  it("the manager's board shows each yard's trucks, reservations and a full yard marked", async () => {
    const floor = await gateWithDeadlines([]);
    const people = await staffOf(floor);
    const declarant = await account('DECLARANT', [floor]);
    const changed = await http('PUT', `/v1/admin/gates/${floor}`, {
      token: await asAdmin(),
      body: {
        yards: [
          { code: 'Y1', capacity: 1 },
          { code: 'Y2', capacity: 30 },
        ],
      },
    });
    expect(changed.status).toBe(200);
    // One truck admitted and read entering Y1 (now full), one admitted and on its way (a reservation).
    const inside = await declare(declarant, { gate: floor, vehicle: vehicle('29C-310.07') });
    await approve(people, inside.id, ['health-check', 'border-entry']);
    await plateRead(await device(floor, 'YARD_ENTRY', 'CAMERA', { yard: 'Y1' }), '29C-310.07', 0.97);
    const coming = await declare(declarant, { gate: floor, vehicle: vehicle('29C-310.08') });
    await approve(people, coming.id, ['health-check', 'border-entry']);

    const { page } = await tab();
    await signIn(page, people.manager);
    const full = page.locator('li[data-yard="Y1"]');
    await full.waitFor();
    const stats = (await http('GET', `/v1/stats/gates/${floor}`, { token: people.manager.token })).body;
    expect(stats.yards).toEqual([
      { code: 'Y1', capacity: 1, occupied: 1, reserved: 0 },
      { code: 'Y2', capacity: 30, occupied: 0, reserved: 1 },
    ]);
    expect(await full.textContent()).toContain('1 / 1 chỗ có xe');
    expect(await full.textContent()).toContain('Hết chỗ');
    expect(await page.textContent('li[data-yard="Y2"]')).toContain('1 chỗ giữ cho xe đang đến');
    await expectAccessible(page);
    await screenshot(page, 'manager-board-yards', { fullPage: true });
  });
});
