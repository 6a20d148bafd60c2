/// <reference lib="dom" />
import type { Page } from 'playwright-core';
import { account, system, type TestAccount } from '../system/client';
import { declare } from '../system/crossing-flow';
import { TestReceiver } from '../system/webhook-receiver';
import { browserSession, expectAccessible, PHONE, screenshot, signIn, tabTo } from './browser';

/**
 * Events out in the console (API.md "Events out (webhooks)"): an admin subscribes a partner authority's system, a
 * company subscribes its own receiver and follows the deliveries in the log. Against the real system and a real
 * receiver on 127.0.0.1; the system runs with a retry window of 8 s (test/system/global-setup.ts), so an event that
 * keeps failing is FAILED within the test.
 */
const { tab } = browserSession();
const receivers: TestReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close().catch(() => undefined)));
});

const admin = () => ({ username: 'admin', password: system().adminPassword });

/** The row of the delivery log for the first event of this kind, once it stands as `until` asks. */
async function deliveryRow(page: Page, event: string, until: (row: { status: string; attempts: number; text: string }) => boolean) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const row = await page.evaluate((e) => {
      const th = [...document.querySelectorAll<HTMLElement>('.deliveries-table tbody tr[data-event] th')].find((h) =>
        h.textContent?.includes(e),
      );
      const tr = th?.closest('tr');
      return tr
        ? {
            eventId: tr.dataset.event!,
            status: tr.dataset.status!,
            attempts: Number(tr.querySelector('.attempts-toggle')?.textContent?.match(/\d+/)?.[0] ?? 0),
            text: tr.textContent ?? '',
          }
        : undefined;
    }, event);
    if (row && until(row)) return row;
    if (Date.now() > deadline) throw new Error(`the log never showed ${event} as awaited; last seen: ${JSON.stringify(row)}`);
    await page.waitForTimeout(250);
  }
}

describe('webhooks in the console', () => {
  it("an admin subscribes a partner authority's system, sees the secret once, and it is gone after leaving the screen", async () => {
    const partner = await account('PARTNER', ['HUU_NGHI']);
    const { page } = await tab();
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: system().apiUrl });
    await signIn(page, admin());
    await page.click('header >> text=Kết nối hệ thống');
    await page.waitForSelector('#new-webhook-title');
    expect(await page.textContent('#webhooks-title')).toBe('Kết nối hệ thống (webhook)');

    // Sent empty: the API's faults stand at their fields, in Vietnamese; then, the rest filled, the missing account.
    await page.click('button:has-text("Tạo đăng ký")');
    await page.waitForSelector('#wh-events-error');
    expect(await page.textContent('#wh-url-error')).toContain('địa chỉ URL đầy đủ');
    expect(await page.textContent('#wh-events-error')).toContain('ít nhất một sự kiện');
    expect(await page.getAttribute('#wh-url', 'aria-invalid')).toBe('true');
    await page.fill('#wh-url', 'https://customs.pingxiang.example/border-events');
    await page.check('#wh-event-crossing\\.declared');
    await page.click('button:has-text("Tạo đăng ký")');
    await page.waitForSelector('#wh-account-error');
    expect(await page.textContent('#wh-account-error')).toContain('bắt buộc');
    expect(await page.$('#wh-events-error')).toBeNull();

    // The account list offers agencies' and partners' accounts, never a declarant's or a manager's.
    const offered = await page.$$eval('#wh-account option', (os) => os.map((o) => o.textContent ?? ''));
    expect(offered.some((o) => o.startsWith(partner.username) && o.includes('Hệ thống cơ quan phía bạn'))).toBe(true);
    expect(offered.some((o) => /Doanh nghiệp khai báo|Ban quản lý/.test(o))).toBe(false);
    await page.selectOption('#wh-account', partner.id);
    await page.check('#wh-event-crossing\\.decided');
    await page.check('#wh-event-crossing\\.ended');
    await page.check('#wh-event-gate\\.closed');
    // The gates offered are the partner's: it hears only of the gates it serves.
    expect(await page.$$eval('#wh-gates input[type=checkbox]', (is) => is.map((i) => i.id))).toEqual(['wh-gate-HUU_NGHI']);
    await page.check('#wh-gate-HUU_NGHI');
    await page.click('button:has-text("Tạo đăng ký")');

    await page.waitForSelector('.secret [data-secret]');
    const secret = (await page.textContent('.secret [data-secret]'))!.trim();
    expect(secret).toMatch(/^whsec_/);
    expect(await page.textContent('.secret')).toContain('sẽ không được hiển thị lại');
    await page.click('.secret button:has-text("Sao chép khóa")');
    await page.waitForSelector('.secret [role=status]:has-text("Đã sao chép")');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    const row = page.locator('.webhooks-table tr[data-subscription]', { hasText: 'customs.pingxiang.example' });
    expect(await row.locator('[data-owner]').textContent()).toContain(partner.username);
    expect(await row.textContent()).toMatch(/Xe được khai báo.*Cửa khẩu đóng.*HUU_NGHI.*\d{4}-\d\d-\d\d \d\d:\d\d UTC\+7/);
    await expectAccessible(page);
    await screenshot(page, 'webhooks-secret');

    // Away and back: the secret is not shown again, anywhere on the page.
    await page.click('header >> text=Tài khoản');
    await page.waitForSelector('#accounts-title');
    await page.click('header >> text=Kết nối hệ thống');
    await page.waitForSelector('.webhooks-table');
    expect(await page.$('.secret')).toBeNull();
    expect(await page.content()).not.toContain(secret);
    await screenshot(page, 'webhooks-admin-booth');

    // The partner's system account lands on its one screen and reads its subscription there, on a phone too; it
    // makes none itself.
    const partnerTab = await tab(PHONE);
    await signIn(partnerTab.page, partner);
    await partnerTab.page.waitForSelector('.webhooks-table');
    expect(partnerTab.page.url()).toMatch(/#\/webhooks$/);
    expect(await partnerTab.page.$$eval('header nav a', (as) => as.map((a) => a.textContent))).toEqual(['Kết nối hệ thống']);
    expect(await partnerTab.page.textContent('.webhooks-table')).toContain('customs.pingxiang.example');
    expect(await partnerTab.page.$('#new-webhook-title')).toBeNull();
    await expectAccessible(partnerTab.page);
    await screenshot(partnerTab.page, 'webhooks-partner-phone');
    expect(await partnerTab.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // The admin deletes it from the keyboard: Esc first keeps it, Enter on the confirmation deletes it.
    const subscriptionId = await row.getAttribute('data-subscription');
    await tabTo(page, `[data-delete="${subscriptionId}"]`, 80);
    await page.keyboard.press('Enter');
    await page.waitForSelector('.confirm .danger:focus');
    await page.keyboard.press('Escape');
    await page.waitForSelector(`[data-delete="${subscriptionId}"]:focus`);
    expect(await page.$('.confirm')).toBeNull();
    await page.keyboard.press('Enter');
    await page.waitForSelector('.confirm .danger:focus');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.saved:has-text("Đã xóa đăng ký")');
    expect(await page.$(`tr[data-subscription="${subscriptionId}"]`)).toBeNull();
  });

  it('a company subscribes its receiver, sees an event it refuses fail, the next one go on DELIVERED, and retries the FAILED one by hand once it takes it', async () => {
    const company: TestAccount = await account('DECLARANT', ['HUU_NGHI']);
    const hook = await TestReceiver.start();
    receivers.push(hook);
    // The receiver refuses the declaration's event (500) until it is fixed, and takes the others.
    hook.answer = (r) => (r.body.event === 'crossing.declared' ? 500 : 204);

    const { page } = await tab();
    await signIn(page, company);
    await page.click('header >> text=Kết nối hệ thống');
    await page.waitForSelector('#new-webhook-title');
    expect(await page.$('#wh-account')).toBeNull();
    await page.fill('#wh-url', hook.url);
    await page.check('#wh-event-crossing\\.declared');
    await page.check('#wh-event-crossing\\.step_waiting');
    await page.click('button:has-text("Tạo đăng ký")');
    await page.waitForSelector('.secret [data-secret]');
    const secret = (await page.textContent('.secret [data-secret]'))!.trim();

    // Opening the log leaves the form: the secret goes with it.
    await page.click(`.webhooks-table a[aria-label*="${hook.url}"]`);
    await page.waitForSelector('#log-title');
    expect(page.url()).toMatch(/#\/webhooks\/[0-9a-f-]{36}$/);
    expect(await page.$('.secret')).toBeNull();
    expect(await page.content()).not.toContain(secret);

    // The receiver answers 500: the log shows the declaration's event tried again and again, the 500 each time.
    const crossing = await declare(company, { gate: 'HUU_NGHI' });
    const failing = await deliveryRow(page, 'Xe được khai báo', (r) => r.status === 'PENDING' && r.attempts >= 2);
    expect(failing.text).toContain('Đang gửi');
    expect(failing.text).toContain('HTTP 500');

    // After the window (8 s) it is FAILED, and the crossing's next event, which waited behind it, goes on.
    await deliveryRow(page, 'Xe được khai báo', (r) => r.status === 'FAILED');
    const delivered = await deliveryRow(page, 'Một bước bắt đầu chờ xử lý', (r) => r.status === 'DELIVERED');
    expect(delivered.text).toContain('Đã nhận');
    // The crossing links to the truck's card, for a company that reads its own crossings.
    expect(await page.getAttribute(`tr[data-event="${delivered.eventId}"] a[href^="#/crossings/"]`, 'href')).toBe(
      `#/crossings/${crossing.id}`,
    );

    const failed = await deliveryRow(page, 'Xe được khai báo', (r) => r.status === 'FAILED');
    expect(failed.text).toContain('Gửi thất bại');
    await page.click(`tr[data-event="${failed.eventId}"] .attempts-toggle`);
    await page.waitForSelector(`#attempts-${failed.eventId} li`);
    expect(await page.$$eval(`#attempts-${failed.eventId} li`, (lis) => lis.map((li) => li.textContent))).toEqual(
      expect.arrayContaining([expect.stringMatching(/UTC\+7 · HTTP 500 · \d+ ms/)]),
    );
    await expectAccessible(page);
    await screenshot(page, 'webhooks-log-booth');

    // The same log on a phone: event, status, attempts and the retry button fit; nothing scrolls sideways.
    const phone = await tab(PHONE);
    await signIn(phone.page, company);
    await phone.page.goto(page.url());
    await phone.page.waitForSelector(`tr[data-event="${failed.eventId}"] button:has-text("Gửi lại")`);
    await phone.page.click(`tr[data-event="${failed.eventId}"] .attempts-toggle`);
    await phone.page.waitForSelector(`#attempts-${failed.eventId} li`);
    await expectAccessible(phone.page);
    await screenshot(phone.page, 'webhooks-log-phone');
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // The receiver is fixed; retried by hand, the event is pending again, then delivered, signed with the secret shown once.
    hook.answer = () => 204;
    await page.click(`tr[data-event="${failed.eventId}"] button:has-text("Gửi lại")`);
    await page.waitForSelector('.saved:has-text("Đang gửi lại")');
    await deliveryRow(page, 'Xe được khai báo', (r) => r.status === 'DELIVERED' && r.attempts > failed.attempts);
    expect(await page.$('button:has-text("Gửi lại")')).toBeNull();
    expect(hook.requests.filter((r) => r.eventId === failed.eventId).length).toBe(failed.attempts + 1);
    expect(hook.signedWith(secret)).toBe(true);

    // The filter: no FAILED event is left.
    await page.selectOption('#log-status', 'FAILED');
    await page.waitForSelector('.delivery-log .empty');
  });
});
