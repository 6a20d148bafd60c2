/// <reference lib="dom" />
import type { Page, Route } from 'playwright-core';
import { gateLocalTime } from '../../domain/local-time';
import { account, asAdmin, http, type TestAccount } from '../system/client';
import { declare, staffOf, type GateStaff } from '../system/crossing-flow';
import { gateWithDeadlines } from '../system/test-gate';
import { browserSession, expectAccessible, PHONE, screenshot, signIn, tabTo } from './browser';

/**
 * The call-forward queue (API.md, "The virtual queue") in the console: the manager reads a gate's call order, closes
 * the gate with a reason and reopens it; a declarant reads where its trucks stand and when to be at the gate; an
 * officer's work queue says which trucks were called. Each in a real browser, every screen scanned with axe-core, and
 * no script error, `console.error` or answer of 500 or more.
 */
const { tab } = browserSession();

interface QueueGate {
  gate: string;
  staff: GateStaff;
  company: TestAccount;
}

/** A gate of its own keeping a queue (as test/queue.test.ts sets one up): one yard of `capacity` places. */
async function queueGate(capacity: number): Promise<QueueGate> {
  const gate = await gateWithDeadlines([]);
  const res = await http('PUT', `/v1/admin/gates/${gate}`, {
    token: await asAdmin(),
    body: { yards: [{ code: 'Y1', capacity }], queue: { arriveWithin: 'PT10M', priorityPerRegular: 2, noShowRequeues: 1 } },
  });
  if (res.status !== 200) throw new Error(`changing gate ${gate} failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { gate, staff: await staffOf(gate), company: await account('DECLARANT', [gate]) };
}

async function truck(q: QueueGate, plate: string, priority = false): Promise<string> {
  const crossing = await declare(q.company, {
    gate: q.gate,
    vehicle: { plate, trailerPlate: null, country: 'VN', grossWeightKg: 30000 },
    priority: priority ? { reason: 'PERISHABLE' } : null,
  });
  return crossing.id;
}

/** The gate's queue as the API answers it, once `until` holds. */
async function queueUntil(q: QueueGate, until: (queue: any) => boolean, timeoutMs = 20_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await http('GET', `/v1/gates/${q.gate}/queue`, { token: q.staff.manager.token });
    if (res.status === 200 && until(res.body)) return res.body;
    if (Date.now() > deadline) throw new Error(`the queue did not reach the expected state: ${JSON.stringify(res.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const statusOf = (queue: any, id: string) => queue.entries.find((e: any) => e.crossingId === id)?.status;

/** `2026-12-01T17:05` in the gate's time, a given number of hours from now: what a datetime-local input takes. */
const gateInput = (hoursFromNow: number) =>
  gateLocalTime(new Date(Date.now() + hoursFromNow * 3600_000))
    .slice(0, 16)
    .replace(' ', 'T');

/**
 * Holds the screen's reads of the queue (they wait, unanswered) while something changes behind its back, so that the
 * person acts on what the screen last showed; `release` lets them through.
 */
async function holdQueueReads(page: Page) {
  const held: Route[] = [];
  let holding = true;
  const pattern = /\/v1\/gates\/[^/]+\/queue/;
  await page.route(pattern, (route) => (holding ? void held.push(route) : route.continue()));
  return {
    release: async () => {
      holding = false;
      for (const route of held.splice(0)) await route.continue();
      await page.unroute(pattern);
    },
  };
}

describe('the call-forward queue in the console', () => {
  it('a manager sees the queue in call order, closes the gate with a reason from the keyboard, and reopens it', async () => {
    const q = await queueGate(1);
    const first = await truck(q, '29C-401.11');
    await queueUntil(q, (s) => statusOf(s, first) === 'CALLED');
    const second = await truck(q, '29C-401.12');
    const perishable = await truck(q, '29C-401.13', true);
    const third = await truck(q, '29C-401.14');
    // The yard is full with the first truck: the others wait, the priority one first.
    const queue = await queueUntil(q, (s) => s.entries.length === 4);
    const waitingOrder = queue.entries.filter((e: any) => e.status === 'WAITING').map((e: any) => e.crossingId);
    expect(waitingOrder).toEqual([perishable, second, third]);

    const { page } = await tab();
    await signIn(page, q.staff.manager);
    await page.click('header >> text=Hàng chờ gọi xe');
    await page.waitForSelector('#gate-queue-title');
    await page.waitForSelector(`.waiting-table tr[data-crossing="${third}"]`);

    // Called first, then the waiting trucks in the order the API will call them, positions from 1.
    const called = await page.$$eval('.called-table tbody tr', (rows) =>
      rows.map((r) => [r.getAttribute('data-crossing'), r.getAttribute('data-status')]),
    );
    expect(called).toEqual([[first, 'CALLED']]);
    const waiting = await page.$$eval('.waiting-table tbody tr', (rows) =>
      rows.map((r) => [r.getAttribute('data-crossing'), r.querySelector('td.position')?.textContent]),
    );
    expect(waiting).toEqual([
      [perishable, '1'],
      [second, '2'],
      [third, '3'],
    ]);
    const calledRow = await page.textContent(`.called-table tr[data-crossing="${first}"]`);
    expect(calledRow).toContain('29C-401.11');
    expect(calledRow).toContain('Đã gọi');
    const arriveBy = queue.entries.find((e: any) => e.crossingId === first).arriveBy;
    expect(calledRow).toContain(gateLocalTime(arriveBy, { seconds: false }).slice(11));
    expect(await page.textContent(`.waiting-table tr[data-crossing="${perishable}"]`)).toContain('Ưu tiên');
    expect(await page.textContent('[data-gate-state]')).toContain('Đang mở');
    expect(await page.textContent('.segmented')).toContain('Xuất khẩu (4)');
    await expectAccessible(page);
    await screenshot(page, 'manager-gate-queue', { fullPage: true });

    // From the keyboard: Tab to "close the gate", Enter opens the form with the focus in the reason.
    await tabTo(page, 'button.danger');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'close-reason');
    // Escape goes back, to the button.
    await page.keyboard.press('Escape');
    await page.waitForSelector('#close-reason', { state: 'detached' });
    await page.waitForFunction(() => document.activeElement?.matches('button.danger') ?? false);
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => document.activeElement?.id === 'close-reason');

    // A reopening in the past: the API's 400 stands at its field, in Vietnamese.
    await page.keyboard.type('Phía bạn tạm dừng thông quan do mưa lớn');
    await page.fill('#close-reopen', '2020-01-01T08:00');
    await page.focus('#close-reason');
    await page.keyboard.press('Enter');
    await page.waitForSelector('#close-reopen-error');
    expect(await page.textContent('#close-reopen-error')).toContain('phải là thời điểm trong tương lai');
    expect(await page.getAttribute('#close-reopen', 'aria-invalid')).toBe('true');
    await expectAccessible(page);
    await screenshot(page, 'manager-gate-close-error');

    // Corrected, Enter closes the gate: the screen says closed, with the reason and the expected reopening.
    const reopenAt = gateInput(3);
    await page.fill('#close-reopen', reopenAt);
    await page.focus('#close-reason');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-gate-state="closed"]');
    expect(await page.textContent('[data-closure="reason"]')).toBe('Phía bạn tạm dừng thông quan do mưa lớn');
    expect(await page.textContent('[data-closure="expectedReopenAt"]')).toContain(`${reopenAt.replace('T', ' ')} UTC+7`);
    expect(await page.textContent('.gate-state .saved')).toContain('Đã đóng cửa khẩu');
    const gates = (await http('GET', '/v1/gates', { token: q.staff.manager.token })).body;
    expect(gates.find((g: any) => g.code === q.gate)).toMatchObject({
      open: false,
      closure: { reason: 'Phía bạn tạm dừng thông quan do mưa lớn', expectedReopenAt: expect.any(String) },
    });
    await expectAccessible(page);
    await screenshot(page, 'manager-gate-closed', { fullPage: true });

    // The same screen on the manager's phone: closed, the reason, the call order, nothing wider than the screen.
    const phone = await tab(PHONE);
    await signIn(phone.page, q.staff.manager);
    await phone.page.goto(`${phone.page.url().split('#')[0]}#/gate-queue`);
    await phone.page.waitForSelector('[data-gate-state="closed"]');
    await phone.page.waitForSelector(`.waiting-table tr[data-crossing="${third}"]`);
    await expectAccessible(phone.page);
    await screenshot(phone.page, 'manager-gate-queue-phone', { fullPage: true });
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // The board says it too, and leads back to the queue.
    await page.click('header >> text=Bảng điều hành');
    const line = page.locator('[data-board="queue"]');
    await line.waitFor();
    expect(await line.textContent()).toContain('Phía bạn tạm dừng thông quan do mưa lớn');
    // The closure withdrew the one call (that truck waits again in its own place): four wait, none called.
    expect(await line.textContent()).toContain('4 xe chờ, 0 xe đã gọi');
    await line.locator('a').click();
    await page.waitForSelector('[data-gate-state="closed"]');

    // Reopened with one press: open again, and the API agrees.
    await page.click('button:has-text("Mở lại cửa khẩu")');
    await page.waitForSelector('[data-gate-state="open"]');
    expect(await page.textContent('.gate-state .saved')).toContain('Đã mở lại cửa khẩu');
    const reopened = (await http('GET', `/v1/gates/${q.gate}/queue`, { token: q.staff.manager.token })).body;
    expect(reopened).toMatchObject({ open: true, closure: null });

    // Another manager closes the gate while this screen still shows it open: the close is refused (409), the screen
    // says so in the API's words and shows the gate as it now stands.
    const hold = await holdQueueReads(page);
    const other = await http('POST', `/v1/gates/${q.gate}/closure`, { token: q.staff.manager.token, body: { reason: 'Nghỉ lễ' } });
    expect(other.status).toBe(200);
    await page.click('button:has-text("Đóng cửa khẩu…")');
    await page.fill('#close-reason', 'Thời tiết xấu');
    await page.click('button:has-text("Đóng cửa khẩu ngay")');
    await page.waitForSelector('.gate-state .problem');
    expect(await page.textContent('.gate-state .problem')).toContain('is already closed');
    await hold.release();
    await page.waitForSelector('[data-gate-state="closed"]');
    expect(await page.textContent('[data-closure="reason"]')).toBe('Nghỉ lễ');
    expect(await page.textContent('.gate-state')).toContain('Trạng thái cửa khẩu vừa thay đổi');
    await expectAccessible(page);
    await page.click('button:has-text("Mở lại cửa khẩu")');
    await page.waitForSelector('[data-gate-state="open"]');

    // English on the switch, like every screen.
    await page.click('text=English');
    expect(await page.textContent('#gate-queue-title')).toBe('Call-forward queue — Test gate');
    expect(await page.textContent('.segmented')).toContain('Export (4)');
    expect(await page.textContent('.waiting-table thead')).toContain('Estimated call');
    await page.click('text=Tiếng Việt');
    expect(await page.textContent('#gate-queue-title')).toBe('Hàng chờ gọi xe — Test gate');
  });

  it("a declarant sees its trucks' places in the queue and when to be at the gate; the officer sees which were called", async () => {
    const q = await queueGate(1);
    const called = await truck(q, '51C-702.21');
    await queueUntil(q, (s) => statusOf(s, called) === 'CALLED');
    const waiting = await truck(q, '51C-702.22');
    const queue = await queueUntil(q, (s) => statusOf(s, waiting) === 'WAITING');
    const arriveBy = queue.entries.find((e: any) => e.crossingId === called).arriveBy;

    const { page } = await tab();
    await signIn(page, q.company);
    await page.waitForSelector('#mine-title');
    const waitingCell = page.locator(`tr[data-crossing="${waiting}"] td[data-queue]`);
    await waitingCell.locator('[data-position]').waitFor({ timeout: 15_000 });
    expect(await waitingCell.textContent()).toContain('Chưa gọi');
    expect(await waitingCell.textContent()).toContain('Thứ 1 trong hàng');
    expect(await waitingCell.textContent()).toContain('dự kiến gọi lúc');
    const calledCell = page.locator(`tr[data-crossing="${called}"] td[data-queue]`);
    expect(await calledCell.textContent()).toContain('Đã gọi');
    // The time in the gate's zone, with its date when that is another day than today there (a call just before midnight).
    const [day, time] = gateLocalTime(arriveBy, { seconds: false }).split(' ');
    expect(await calledCell.textContent()).toMatch(new RegExp(`phải đến cửa khẩu trước (${day} )?${time} UTC\\+7`));
    await expectAccessible(page);
    await screenshot(page, 'declarant-queue');

    // The waiting truck's card says the same.
    await page.click(`a[href="#/crossings/${waiting}"]`);
    const place = page.locator('[data-card="queue"]');
    await place.waitFor();
    expect(await place.textContent()).toContain('Thứ 1 trong hàng');
    await expectAccessible(page);
    await screenshot(page, 'declarant-queue-card');

    // The gate closes: the declarant reads why, and when it is expected to reopen.
    const closed = await http('POST', `/v1/gates/${q.gate}/closure`, { token: q.staff.manager.token, body: { reason: 'Thời tiết xấu' } });
    expect(closed.status).toBe(200);
    await page.click('header >> text=Xe của tôi');
    const notice = page.locator(`[data-closed-gate="${q.gate}"]`);
    await notice.waitFor({ timeout: 15_000 });
    expect(await notice.textContent()).toContain('Thời tiết xấu');
    expect(await notice.textContent()).toContain('chưa hẹn');

    // On the declarant's phone: the same, nothing wider than the screen.
    const phone = await tab(PHONE);
    await signIn(phone.page, q.company);
    await phone.page.locator(`tr[data-crossing="${waiting}"] .phone-queue [data-position]`).waitFor({ timeout: 15_000 });
    await phone.page.locator(`[data-closed-gate="${q.gate}"]`).waitFor();
    await expectAccessible(phone.page);
    await screenshot(phone.page, 'declarant-queue-phone', { fullPage: true });
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);
    const reopened = await http('DELETE', `/v1/gates/${q.gate}/closure`, { token: q.staff.manager.token });
    expect(reopened.status).toBe(200);

    // The health officer's work queue: the called truck first, marked called; the other not called yet.
    const officer = await tab();
    await signIn(officer.page, q.staff.health);
    const rows = officer.page.locator('tbody tr[data-crossing]');
    await officer.page.locator(`tr[data-crossing="${waiting}"]`).waitFor({ timeout: 15_000 });
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-crossing')))).toEqual([called, waiting]);
    expect(await officer.page.textContent(`tr[data-crossing="${called}"] td[data-queue-status]`)).toBe('Đã gọi');
    expect(await officer.page.textContent(`tr[data-crossing="${waiting}"] td[data-queue-status]`)).toBe('Chưa gọi');
    await expectAccessible(officer.page);
    await screenshot(officer.page, 'officer-queue-called');
  });
});
