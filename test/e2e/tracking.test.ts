/// <reference lib="dom" />
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { gateLocalTime } from '../../domain/local-time';
import { SEEDED_CORRIDORS } from '../../infra/db/seeds/corridors';
import { account, asAdmin, db, http, system, type TestAccount } from '../system/client';
import { declare } from '../system/crossing-flow';
import { gateWithDeadlines } from '../system/test-gate';
import { BOOTH, browserSession, expectAccessible, PHONE, screenshot, SCREENSHOTS, signIn, tabTo } from './browser';

/**
 * The road in the console (API.md "Driver tracking and traffic flow"): the driver's page opened from the SMS link on a
 * phone, in Chinese for a Chinese driver, sending the phone's positions; the traffic police's map of a congested
 * approach and the order they issue from it; and the public page of the gates, for anyone. Each in a real browser,
 * every screen scanned with axe-core, and no script error, `console.error` or answer of 500 or more.
 */
const { tab } = browserSession();

/** Points on the seeded Hữu Nghị corridor (QL1A), which each test gate here is given: on segment 1, 2 and 3 (at the gate). */
const ON = {
  'QL1A-1': [
    [21.889, 106.737],
    [21.897, 106.73175],
  ],
  'QL1A-2': [
    [21.9145, 106.72025],
    [21.924, 106.714],
  ],
  'QL1A-3': [
    [21.951, 106.702],
    [21.958, 106.703],
    [21.964, 106.70425],
  ],
} as const;

interface RoadGate {
  gate: string;
  name: string;
  company: TestAccount;
  manager: TestAccount;
  police: TestAccount;
}

/** A gate of its own with the Hữu Nghị corridor and holding area, one yard of `capacity`, and a queue if asked. */
async function roadGate(opts: { capacity: number; queue: boolean }): Promise<RoadGate> {
  const gate = await gateWithDeadlines([]);
  const name = 'Cửa khẩu thử Hữu Nghị';
  await db().query('update gate set name = $2 where code = $1', [gate, name]);
  const res = await http('PUT', `/v1/admin/gates/${gate}`, {
    token: await asAdmin(),
    body: {
      ...SEEDED_CORRIDORS.HUU_NGHI,
      yards: [{ code: 'Y1', capacity: opts.capacity }],
      ...(opts.queue ? { queue: { arriveWithin: 'PT45M', priorityPerRegular: 2, noShowRequeues: 1 } } : {}),
    },
  });
  if (res.status !== 200) throw new Error(`giving gate ${gate} a corridor failed: ${res.status} ${JSON.stringify(res.body)}`);
  const [company, manager, police] = await Promise.all([
    account('DECLARANT', [gate]),
    account('MANAGER', [gate]),
    account('TRAFFIC_POLICE', [gate]),
  ]);
  return { gate, name, company, manager, police };
}

const CHINESE_DRIVER = { fullName: 'Wang Wei', idNumber: 'E12345678', nationality: 'CN', phone: '+8613800138001' };
const VIETNAMESE_DRIVER = { fullName: 'Nguyen Van B', idNumber: '001090012346', nationality: 'VN', phone: '+84912345679' };

/** A truck declared at the gate, and its driver link (as the declarant issues it; the same link goes out by SMS). */
async function truck(g: RoadGate, plate: string, driver = VIETNAMESE_DRIVER, country = 'VN') {
  const crossing = await declare(g.company, {
    gate: g.gate,
    vehicle: { plate, trailerPlate: null, country, grossWeightKg: 30000 },
    driver,
  });
  const link = await http('POST', `/v1/crossings/${crossing.id}/driver-link`, {
    token: g.company.token,
    headers: { 'Idempotency-Key': randomUUID() },
  });
  if (link.status !== 201) throw new Error(`issuing the driver link failed: ${link.status} ${JSON.stringify(link.body)}`);
  return { id: crossing.id as string, token: link.body.token as string, url: link.body.url as string };
}

/** Positions from a driver's phone through the API, the last one a few seconds ago. */
async function drive(t: { id: string; token: string }, points: readonly (readonly [number, number])[], speedKmh: number) {
  const now = Date.now();
  const res = await http('POST', `/v1/crossings/${t.id}/positions`, {
    token: t.token,
    headers: { 'Idempotency-Key': randomUUID() },
    body: {
      positions: points.map(([lat, lon], i) => ({ at: new Date(now - (points.length - i) * 10_000).toISOString(), lat, lon, speedKmh })),
    },
  });
  if (res.status !== 202) throw new Error(`sending positions failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen: ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

const queueOf = (g: RoadGate) => http('GET', `/v1/gates/${g.gate}/queue`, { token: g.manager.token }).then((r) => r.body);
const trafficOf = (g: RoadGate) => http('GET', `/v1/gates/${g.gate}/traffic`, { token: g.police.token }).then((r) => r.body);

/** The driver page's address: the SMS link's fragment, on the test system (the link names the token only). */
const driverPage = (t: { url: string }) => `${system().apiUrl}/${t.url.slice(t.url.indexOf('#'))}`;

/** `2026-12-01T17:05` in the gate's time, a number of hours from now: what a datetime-local input takes. */
const gateInput = (hoursFromNow: number) =>
  gateLocalTime(new Date(Date.now() + hoursFromNow * 3600_000))
    .slice(0, 16)
    .replace(' ', 'T');

describe('the road in the console', () => {
  it('a Chinese driver opens the link from the SMS on a phone and sees the queue call and a police order in Chinese', async () => {
    // One yard place: the Chinese driver's truck is called at once, the Vietnamese one behind it waits.
    const g = await roadGate({ capacity: 1, queue: true });
    const wang = await truck(g, '桂A12345', CHINESE_DRIVER, 'CN');
    const called = await until(
      'the call',
      () => queueOf(g),
      (q) => q.entries.some((e: any) => e.crossingId === wang.id && e.status === 'CALLED'),
    );
    const arriveBy = called.entries.find((e: any) => e.crossingId === wang.id).arriveBy as string;
    const nam = await truck(g, '12C-456.78');
    await until(
      'the second truck waiting',
      () => queueOf(g),
      (q) => q.entries.some((e: any) => e.crossingId === nam.id && e.status === 'WAITING'),
    );

    // The SMS the Chinese driver got carries the same link, in Chinese.
    const sms = await http('GET', `/dev/notifications?phone=${encodeURIComponent(CHINESE_DRIVER.phone)}`, { token: await asAdmin() });
    expect(JSON.stringify(sms.body)).toContain('/#/driver?t=drv_');

    // On the road: on QL1A-1, so en route, then the traffic police order a hold at the holding area.
    expect(await drive(wang, ON['QL1A-1'], 42)).toMatchObject({ segment: 'QL1A-1' });
    const order = await http('POST', `/v1/gates/${g.gate}/traffic-orders`, {
      token: g.police.token,
      headers: { 'Idempotency-Key': randomUUID() },
      body: {
        action: 'HOLD',
        message: 'Dừng tại bãi chờ Phú Xá, chờ gọi vào cửa khẩu',
        holdingArea: 'BAI-CHO-PHU-XA',
        validUntil: new Date(Date.now() + 2 * 3600_000).toISOString(),
      },
    });
    expect(order.status).toBe(201);
    expect(order.body.recipients).toBeGreaterThanOrEqual(1);

    // The driver's phone, location allowed, standing on QL1A-2.
    const { page } = await tab(PHONE);
    const context = page.context();
    await context.grantPermissions(['geolocation'], { origin: system().apiUrl });
    await context.setGeolocation({ latitude: ON['QL1A-2'][1][0], longitude: ON['QL1A-2'][1][1], accuracy: 12 });
    // The first batch finds no signal (the request fails): it is sent again with the same Idempotency-Key.
    const keys: string[] = [];
    await page.route('**/positions', (route) => {
      keys.push(route.request().headers()['idempotency-key']);
      return keys.length === 1 ? route.abort('internetdisconnected') : route.continue();
    });
    await page.waitForSelector('#username');
    await page.goto(driverPage(wang));
    await page.waitForSelector('[data-driver="orders"]');
    expect(await page.getAttribute('.driver', 'lang')).toBe('zh');
    const orders = await page.textContent('[data-driver="orders"]');
    expect(orders).toContain('交警指令');
    expect(orders).toContain('原地等候');
    expect(orders).toContain('Dừng tại bãi chờ Phú Xá, chờ gọi vào cửa khẩu');
    expect(orders).toContain('有效至');
    const call = await page.textContent('[data-driver="queue"]');
    expect(call).toContain('已叫号：请于');
    // The gate's clock time (with the date when the call falls on another day there).
    expect(call).toContain(gateLocalTime(arriveBy, { seconds: false }).slice(11));
    expect(call).toContain('前到达闸口');
    expect(await page.textContent('[data-driver="gate"]')).toBe(g.name);
    expect(await page.textContent('[data-driver="status"]')).toBe('正在办理通关手续');
    expect(await page.textContent('[data-driver="step"]')).toBe('卫生检疫');

    // The page sends the phone's position at once, then in batches: the track shows it.
    await page.waitForSelector('[data-sending="sending"]', { timeout: 20_000 });
    expect(await page.textContent('[data-sending]')).toContain('正在向口岸和交警发送车辆位置');
    const track = await until(
      "the page's position in the track",
      () => http('GET', `/v1/crossings/${wang.id}/track`, { token: g.manager.token }).then((r) => r.body),
      (t) => t.points.some((p: any) => Math.abs(p.lat - ON['QL1A-2'][1][0]) < 1e-6),
    );
    expect(track.points.length).toBeGreaterThan(ON['QL1A-1'].length);
    expect(keys.length).toBeGreaterThanOrEqual(2);
    expect(keys[1]).toBe(keys[0]);
    await expectAccessible(page);
    await screenshot(page, 'driver-zh-phone', { fullPage: true });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // A Vietnamese driver who did not allow location: the page says so, and still shows the place in the queue.
    const other = await tab(PHONE);
    await other.page.waitForSelector('#username');
    await other.page.goto(driverPage(nam));
    await other.page.waitForSelector('[data-sending="denied"]');
    expect(await other.page.getAttribute('.driver', 'lang')).toBe('vi');
    expect(await other.page.textContent('[data-sending]')).toContain('Chưa cho phép định vị');
    const place = await other.page.textContent('[data-driver="queue"]');
    expect(place).toContain('Thứ 1 trong hàng chờ');
    await expectAccessible(other.page);
    await screenshot(other.page, 'driver-vi-phone', { fullPage: true });
    expect(await other.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // The crossing is cancelled: the page says it has ended and no longer sends positions.
    const cancelled = await http('POST', `/v1/crossings/${nam.id}/cancel`, {
      token: g.company.token,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { reason: 'Đổi kế hoạch giao hàng' },
    });
    expect(cancelled.status).toBe(200);
    await other.page.waitForSelector('[data-driver="ended"]', { timeout: 20_000 });
    expect(await other.page.textContent('[data-driver="ended"]')).toContain('Chuyến xe đã kết thúc: Đã hủy');
    expect(await other.page.textContent('[data-sending]')).toContain('Không còn gửi vị trí');

    // A link that is not (or no longer) valid: said in both of the drivers' languages.
    await other.page.goto(`${system().apiUrl}/#/driver?t=drv_${'x'.repeat(32)}`);
    await other.page.waitForSelector('[data-driver="invalid"]');
    expect(await other.page.textContent('[data-driver="invalid"]')).toContain('Liên kết không còn dùng được');
    expect(await other.page.textContent('[data-driver="invalid"]')).toContain('链接已失效');
    await expectAccessible(other.page);
  });

  it('the traffic police see a congested segment on the map and issue an order', async () => {
    const g = await roadGate({ capacity: 10, queue: false });
    // Three trucks crawling at the gate (2 km/h), one moving freely further out.
    const slow = await Promise.all(['29H-111.01', '29H-111.02', '29H-111.03'].map((plate) => truck(g, plate)));
    for (const t of slow) await drive(t, ON['QL1A-3'], 2);
    const free = await truck(g, '29H-111.04');
    await drive(free, ON['QL1A-1'], 55);
    await until(
      'QL1A-3 congested',
      () => trafficOf(g),
      (tr) => tr.segments.find((s: any) => s.code === 'QL1A-3')?.status === 'CONGESTED' && tr.trucks.length === 4,
    );

    // The traffic police land on the map.
    const { page } = await tab(BOOTH);
    await signIn(page, g.police);
    await page.waitForSelector('#traffic-title');
    expect(await page.getAttribute('header nav a[aria-current="page"]', 'href')).toBe('#/traffic');
    await page.waitForSelector('polyline[data-segment="QL1A-3"][data-status="CONGESTED"]');
    expect(await page.textContent('.segments-table tr[data-segment="QL1A-3"]')).toContain('Ùn tắc');
    expect(await page.textContent('.segments-table tr[data-segment="QL1A-3"] [data-measure="trucks"]')).toBe('3');
    expect(await page.textContent('.segments-table tr[data-segment="QL1A-1"]')).toContain('Thông thoáng');
    expect(await page.textContent('[data-map] ')).toContain('Ùn tắc');
    expect(await page.locator('[data-map] circle.truck').count()).toBe(4);
    expect(await page.textContent('circle[data-truck="29H-111.01"] title')).toContain('29H-111.01');
    // The segment at the gate congested: trucks further out are asked to wait at the holding area.
    expect(await page.getAttribute('[data-advisory]', 'data-advisory')).toBe('HOLD_UPSTREAM');
    expect(await page.textContent('[data-advisory]')).toContain('Bãi chờ Phú Xá');

    // An order without words: the API's 400 stands at the field, in Vietnamese.
    await page.click('button:has-text("Ban hành lệnh")');
    await page.waitForSelector('#order-message-error');
    expect(await page.textContent('#order-message-error')).toContain('bắt buộc phải nhập');
    expect(await page.getAttribute('#order-message', 'aria-invalid')).toBe('true');
    await expectAccessible(page);

    // From the keyboard: the words, two segments, the holding area, valid for three hours; Enter on the button.
    await page.fill('#order-message', 'Ùn tắc tại cửa khẩu: dừng ở bãi chờ Phú Xá đến khi được gọi');
    await page.check('#order-segment-QL1A-1');
    await page.check('#order-segment-QL1A-2');
    await page.selectOption('#order-area', 'BAI-CHO-PHU-XA');
    await page.fill('#order-until', gateInput(3));
    await page.focus('#order-until');
    await tabTo(page, '.order-form button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('.order-form .saved');
    expect(await page.textContent('.order-form .saved')).toContain('Đã ban hành lệnh “Dừng chờ”; đã gửi 1 lái xe');
    const listed = page.locator('.orders-list li[data-action="HOLD"]');
    await listed.waitFor();
    expect(await listed.textContent()).toContain('QL1A Lạng Sơn – Phú Xá, QL1A Phú Xá – Đồng Đăng');
    expect(await listed.textContent()).toContain('Bãi chờ: Bãi chờ Phú Xá');
    const standing = (await trafficOf(g)).orders;
    expect(standing).toMatchObject([{ action: 'HOLD', segments: ['QL1A-1', 'QL1A-2'], holdingArea: 'BAI-CHO-PHU-XA', recipients: 1 }]);
    await expectAccessible(page);
    await screenshot(page, 'traffic-map-booth', { fullPage: true });

    // The manager's phone: the same map and orders, no form (only the police issue orders).
    const phone = await tab(PHONE);
    await signIn(phone.page, g.manager);
    await phone.page.goto(`${system().apiUrl}/#/traffic`);
    await phone.page.waitForSelector('polyline[data-segment="QL1A-3"][data-status="CONGESTED"]');
    await phone.page.waitForSelector('.orders-list li[data-action="HOLD"]');
    expect(await phone.page.locator('.order-form').count()).toBe(0);
    expect(await phone.page.textContent('.traffic-orders')).toContain('Chỉ cảnh sát giao thông ban hành');
    await expectAccessible(phone.page);
    await screenshot(phone.page, 'traffic-map-phone', { fullPage: true });
    expect(await phone.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    // Withdrawn with its button: gone from the list, and from the API's standing orders.
    await page.click('.orders-list li[data-action="HOLD"] button');
    await page.waitForSelector('.traffic-orders .saved');
    await page.waitForSelector('.orders-list li[data-action="HOLD"]', { state: 'detached' });
    expect((await trafficOf(g)).orders).toEqual([]);

    // English on the switch.
    await page.click('text=English');
    expect(await page.textContent('#traffic-title')).toBe(`Approach traffic — ${g.name}`);
    expect(await page.textContent('.segments-table tr[data-segment="QL1A-3"]')).toContain('Congested');
    await page.click('text=Tiếng Việt');
  });

  it('anyone sees the public gate page without logging in', async () => {
    const g = await roadGate({ capacity: 4, queue: true });
    const t = await truck(g, '15C-777.01');
    await drive(t, ON['QL1A-1'], 38);
    const closed = await http('POST', `/v1/gates/${g.gate}/closure`, {
      token: g.manager.token,
      headers: { 'Idempotency-Key': randomUUID() },
      body: { reason: 'Phía bạn tạm dừng thông quan', expectedReopenAt: new Date(Date.now() + 5 * 3600_000).toISOString() },
    });
    expect(closed.status).toBe(200);

    // From the sign-in screen, one link, no account.
    const { page } = await tab(PHONE);
    await page.waitForSelector('#username');
    await page.click('a[href="#/public"]');
    await page.waitForSelector('#public-title');
    const seeded = page.locator('[data-gate="HUU_NGHI"]');
    await seeded.waitFor();
    expect(await seeded.getAttribute('data-open')).toBe('true');
    expect(await seeded.locator('[data-segment]').count()).toBe(3);
    expect(await seeded.textContent()).toContain('QL1A Đồng Đăng – cửa khẩu Hữu Nghị');
    const mine = page.locator(`[data-gate="${g.gate}"]`);
    await mine.waitFor();
    expect(await mine.getAttribute('data-open')).toBe('false');
    expect(await mine.textContent()).toContain('Phía bạn tạm dừng thông quan');
    expect(await mine.textContent()).toContain('Dự kiến mở lại');
    expect(await mine.textContent()).toContain('Y1: 0/4 chỗ có xe');
    expect(await mine.textContent()).toContain('1 xe đang chờ, 0 xe đã gọi');
    // No personal data: not the plate, the driver or the crossing.
    const text = (await page.textContent('main')) ?? '';
    for (const secret of ['15C-777.01', VIETNAMESE_DRIVER.fullName, VIETNAMESE_DRIVER.phone, t.id]) expect(text).not.toContain(secret);
    await expectAccessible(page);
    await screenshot(page, 'public-gates-phone');
    await mine.screenshot({ path: path.join(SCREENSHOTS, 'public-gate-closed-phone.png') });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(PHONE.width);

    const booth = await tab(BOOTH);
    await booth.page.waitForSelector('#username');
    await booth.page.goto(`${system().apiUrl}/#/public`);
    await booth.page.locator(`[data-gate="${g.gate}"]`).waitFor();
    await expectAccessible(booth.page);
    await screenshot(booth.page, 'public-gates-booth');
    await booth.page.click('text=English');
    expect(await booth.page.textContent('#public-title')).toBe('The gates now');
    await booth.page.click('text=Tiếng Việt');
    await http('DELETE', `/v1/gates/${g.gate}/closure`, { token: g.manager.token });
  });
});
