import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';

/**
 * Personal and company data never reaches a log. Run at the end of the whole test run: every plate, driver name, ID
 * number, phone and tax code the run declared (read back from the declarations it stored), and every username it
 * created, is looked for in every log the run wrote. Returns what was found where.
 */
export async function personalDataInLogs(databaseUrl: string, dataDir: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const secrets = new Set<string>();
  try {
    const { rows } = await db.query<{ body: any }>('select body from declaration_version');
    for (const { body } of rows) {
      for (const value of [
        body.vehicle?.plate,
        body.vehicle?.trailerPlate,
        body.driver?.fullName,
        body.driver?.idNumber,
        body.driver?.phone,
      ]) {
        if (typeof value === 'string' && value.length >= 6) {
          secrets.add(value);
          if (/\d/.test(value)) secrets.add(value.replace(/[\s.\-·]/g, '').toUpperCase()); // the canonical plate
        }
      }
    }
    const accounts = await db.query<{ username: string; company_tax_code: string | null }>(
      `select username, company_tax_code from account where username <> 'admin' and username not like 'system-%'`,
    );
    for (const a of accounts.rows) {
      secrets.add(a.username);
      if (a.company_tax_code) secrets.add(a.company_tax_code);
    }
  } finally {
    await db.end();
  }
  const logs = fs.readdirSync(dataDir).filter((f) => f.endsWith('.log'));
  const found: string[] = [];
  for (const file of logs) {
    const text = fs.readFileSync(path.join(dataDir, file), 'utf8');
    for (const secret of secrets) if (text.includes(secret)) found.push(`${file}: ${secret}`);
  }
  return found;
}
