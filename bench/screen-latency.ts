/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { launchSystem, ROOT, stopProcess } from '../infra/launch-system';
import { RUBBER } from '../test/system/crossing-flow';
import { declaration } from '../test/system/fixtures';
import { client, percentile, pool } from './http';

/**
 * `npm run bench:screen`: from a company's declaration to the truck on the health officer's screen. A real console
 * (headless chromium) stays open on the officer's work queue while declarations are sent through the API; the page
 * notes when each truck's row appears, and the time from sending the declaration to that moment is the latency a
 * person at the booth sees (DESIGN.md "The console": aim p99 < 2 s). Both clocks are this machine's.
 */
const HELP = `npm run bench:screen -- [--crossings N] [--concurrency C]
  --crossings N     declarations to send (default 100)
  --concurrency C   declarations in flight at once (default 4)`;
const PASSWORD = 'bench steady rubber lane';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { crossings: { type: 'string', default: '100' }, concurrency: { type: 'string', default: '4' }, help: { type: 'boolean' } },
  });
  if (values.help) return void console.log(HELP);
  const n = Number(values.crossings);
  const concurrency = Number(values.concurrency);
  const dataDir = path.join(ROOT, '.data', 'bench-screen');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const launched = await launchSystem({ dataDir, env: { LOG_LEVEL: 'warn' } });
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-dev-shm-usage'] });
  try {
    const call = client(launched.system.apiUrl);
    const admin = (await call('POST', '/v1/auth/login', { body: { username: 'admin', password: launched.system.adminPassword } })).body
      .token;
    const suffix = randomUUID().slice(0, 6);
    const make = async (role: string, extra: object = {}) => {
      const username = `bench-${role.toLowerCase().replace(/_/g, '-')}-${suffix}`;
      const res = await call('POST', '/v1/accounts', {
        token: admin,
        body: { username, password: PASSWORD, role, gates: ['HUU_NGHI'], ...extra },
      });
      if (res.status !== 201) throw new Error(`creating ${role}: ${res.status} ${JSON.stringify(res.body)}`);
      return { username, token: (await call('POST', '/v1/auth/login', { body: { username, password: PASSWORD } })).body.token as string };
    };
    const officer = await make('HEALTH_OFFICER');
    const company = await make('DECLARANT', { companyTaxCode: '0100000001' });

    const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await page.goto(`${launched.system.apiUrl}/`);
    await page.fill('#username', officer.username);
    await page.fill('#password', PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#queue-title');
    // The page notes the wall-clock moment each truck's row first appears.
    await page.evaluate(() => {
      const seen: Record<string, number> = {};
      (window as unknown as { seen: typeof seen }).seen = seen;
      new MutationObserver(() => {
        for (const row of document.querySelectorAll<HTMLElement>('tr[data-crossing]')) seen[row.dataset.crossing!] ??= Date.now();
      }).observe(document.body, { childList: true, subtree: true });
    });

    const sent: Record<string, { sentAt: number; answeredAt: number }> = {};
    await pool(n, concurrency, async () => {
      const sentAt = Date.now();
      const res = await call('POST', '/v1/crossings', { token: company.token, key: randomUUID(), body: declaration({ goods: [RUBBER] }) });
      if (res.status !== 201) throw new Error(`declaring: ${res.status} ${JSON.stringify(res.body)}`);
      sent[res.body.id] = { sentAt, answeredAt: Date.now() };
    });
    // The queue shows the first 100 waiting trucks: wait until every one sent has been seen, or 15 s.
    const deadline = Date.now() + 15_000;
    let seen: Record<string, number> = {};
    while (Date.now() < deadline) {
      seen = await page.evaluate(() => (window as unknown as { seen: Record<string, number> }).seen);
      if (Object.keys(sent).every((id) => seen[id])) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const fromSent = Object.entries(sent)
      .filter(([id]) => seen[id])
      .map(([id, t]) => seen[id] - t.sentAt);
    const fromAnswer = Object.entries(sent)
      .filter(([id]) => seen[id])
      .map(([id, t]) => seen[id] - t.answeredAt);
    const missed = Object.keys(sent).filter((id) => !seen[id]).length;
    const p = (values: number[], q: number) => Math.round(percentile(values, q));
    const report = `# Declaration to screen (${new Date().toISOString()})

\`npm run bench:screen -- --crossings ${n} --concurrency ${concurrency}\`: a health officer's console open in headless chromium
while a company declares ${n} trucks through the API, ${concurrency} at a time. The queue polls every second.

| from | trucks | p50 ms | p95 ms | p99 ms |
|---|---|---|---|---|
| declaration sent → row on the officer's screen | ${fromSent.length} | ${p(fromSent, 50)} | ${p(fromSent, 95)} | ${p(fromSent, 99)} |
| declaration answered 201 → row on screen | ${fromAnswer.length} | ${p(fromAnswer, 50)} | ${p(fromAnswer, 95)} | ${p(fromAnswer, 99)} |

Not seen within 15 s: ${missed}.
`;
    process.stdout.write(report);
    const dir = path.join(ROOT, 'bench', 'results');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `screen-${new Date().toISOString().replace(/[:.]/g, '-')}.md`), report);
  } finally {
    await browser.close();
    await stopProcess(launched.process);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
