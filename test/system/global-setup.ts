import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { launchSystem, ROOT } from '../../infra/launch-system';
import { ensureTestTools } from './ensure-tools';

/**
 * Once per test run: a fresh system (Temporal dev server, PostgreSQL, migrations, worker, API) in `.data/test-run`,
 * started by the same launcher as `npm start`. With DATABASE_URL set, a new database is created on that server for
 * the run and dropped afterwards, so a developer's data is never touched.
 */
export default async function globalSetup(): Promise<void> {
  ensureTestTools();
  const dataDir = path.join(ROOT, '.data', process.env.TEST_RUN_NAME ?? 'test-run');
  fs.rmSync(dataDir, { recursive: true, force: true });

  let databaseUrl: string | undefined;
  if (process.env.DATABASE_URL) {
    const name = `clearance_test_${process.pid}_${Date.now()}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    databaseUrl = url.toString();
    (globalThis as Record<string, unknown>).__TEST_DATABASE__ = name;
  }

  // TRUST_PROXY=loopback: the tests stand in for an ingress and name each request's address in X-Forwarded-For.
  // Webhook events fail after 8 s of retries, each attempt at most 1.5 s, so that a test sees one fail.
  const { system, process: child } = await launchSystem({
    dataDir,
    databaseUrl,
    env: { TRUST_PROXY: 'loopback', TRAFFIC_FLOW_EVERY_MS: '1000', WEBHOOK_RETRY_WINDOW: 'PT8S', WEBHOOK_ATTEMPT_TIMEOUT_MS: '1500' },
  });
  (globalThis as Record<string, unknown>).__TEST_SYSTEM__ = child;
  const file = path.join(dataDir, 'system.json');
  fs.writeFileSync(file, JSON.stringify(system, null, 2));
  process.env.TEST_SYSTEM_FILE = file;
}
