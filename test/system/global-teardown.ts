import type { ChildProcess } from 'node:child_process';
import pg from 'pg';
import { stopProcess } from '../../infra/launch-system';

export default async function globalTeardown(): Promise<void> {
  const child = (globalThis as Record<string, unknown>).__TEST_SYSTEM__ as ChildProcess | undefined;
  if (child) await stopProcess(child);
  const database = (globalThis as Record<string, unknown>).__TEST_DATABASE__ as string | undefined;
  if (database && process.env.DATABASE_URL) {
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`drop database if exists ${database} with (force)`);
    await admin.end();
  }
}
