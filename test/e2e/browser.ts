/// <reference lib="dom" />
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { system, type TestAccount } from '../system/client';

const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = path.join(__dirname, '..', '..', 'docs', 'screenshots');
export const BOOTH = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Debian's chromium drives the tests; on a machine without it (a fresh CI machine), root installs it, as for poppler. */
export function ensureChromium(): void {
  if (fs.existsSync(CHROMIUM)) return;
  if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-qq', 'chromium'], { stdio: 'ignore', env });
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error('The browser tests need chromium: install it (apt-get install chromium).');
}

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
}

/**
 * A tab of the console, recording what a person would never want to see: script errors and `console.error`, and
 * any answer of 500 or more. (Chromium also logs every 4xx fetch as "Failed to load resource"; those are the API's
 * answers, which the screens show, so they are not counted as errors here.)
 */
export interface Tab {
  page: Page;
  errors: string[];
}

export async function openTab(browser: Browser, viewport = BOOTH): Promise<Tab> {
  const context = await browser.newContext({ viewport, locale: 'vi-VN', timezoneId: 'Asia/Ho_Chi_Minh' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) errors.push(`console: ${msg.text()}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 500) errors.push(`${res.status()} from ${res.request().method()} ${res.url()}`);
  });
  await page.goto(system().apiUrl + '/');
  return { page, errors };
}

export async function signIn(page: Page, who: Pick<TestAccount, 'username' | 'password'>): Promise<void> {
  await page.waitForSelector('#username');
  await page.fill('#username', who.username);
  await page.fill('#password', who.password);
  await page.keyboard.press('Enter');
  await page.waitForSelector('header nav');
}

/** axe-core's findings of serious or critical impact on the page as it stands. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  const source = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, which the page's Content-Security-Policy does not govern.
  await page.evaluate(source);
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<any> } }).axe;
    return axe.run(document, { resultTypes: ['violations'] });
  });
  return (results.violations as { id: string; impact: string; help: string; nodes: { target: string[] }[] }[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.impact}: ${v.id} (${v.help}) at ${v.nodes
          .map((n) => n.target.join(' '))
          .slice(0, 3)
          .join('; ')}`,
    );
}

export async function screenshot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: opts.fullPage ?? false });
}

/**
 * One browser for a test file, with a tab per person: `tab()` opens one, and after each test none of its tabs may have
 * logged a script error, a `console.error` or an answer of 500 or more.
 */
export function browserSession(): { tab: (viewport?: { width: number; height: number }) => Promise<Tab> } {
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
  return {
    async tab(viewport) {
      const opened = await openTab(browser, viewport);
      tabs.push(opened);
      return opened;
    },
  };
}

export async function expectAccessible(page: Page): Promise<void> {
  expect(await accessibilityViolations(page)).toEqual([]);
}

/** Presses Tab until the focus is on an element matching `selector` (a person reaching it from the keyboard). */
export async function tabTo(page: Page, selector: string, limit = 40): Promise<void> {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${selector} was not reached with ${limit} presses of Tab`);
}

/**
 * A font with Chinese glyphs, for the driver's page of a Chinese driver: without one the screenshot shows boxes (the
 * page's text is right either way). Installed as root where apt-get is, like chromium; absent elsewhere, it says so.
 */
export function ensureChineseFont(): void {
  const has = () => (spawnSync('fc-list', [':lang=zh'], { encoding: 'utf8' }).stdout ?? '').trim() !== '';
  if (has()) return;
  if (process.getuid?.() === 0 && spawnSync('sh', ['-c', 'command -v apt-get']).status === 0) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['install', '-y', '-qq', 'fonts-wqy-microhei'], { stdio: 'ignore', env });
  }
  if (!has()) process.stderr.write('No Chinese font (apt-get install fonts-wqy-microhei): the Chinese screenshots show boxes.\n');
}
