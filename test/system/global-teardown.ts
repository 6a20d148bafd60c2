import fs from 'node:fs';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { stopProcess } from '../../infra/launch-system';
import { personalDataInLogs } from './log-check';

export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as Record<string, unknown>).__TEST_SYSTEM__ as ChildProcess | undefined;
  // Before stopping: the check reads what the run stored to know what to look for in the logs.
  const file = process.env.TEST_SYSTEM_FILE;
  const leaks = file ? await personalDataInLogs(JSON.parse(fs.readFileSync(file, 'utf8')).databaseUrl, path.dirname(file)) : [];
  if (child) await stopProcess(child);
  const database = (globalThis as Record<string, unknown>).__TEST_DATABASE__ as string | undefined;
  if (database && process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
  if (leaks.length) {
    throw new Error(
      `personal or company data reached the logs of this run (${leaks.length} finds), e.g.:\n${leaks.slice(0, 20).join('\n')}`,
    );
  }
  process.stdout.write('Log check: no plate, name, ID number, phone, tax code or username of this run is in its logs.\n');
}
