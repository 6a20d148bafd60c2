import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../infra/config';
import { AccountSchema } from '../infra/db/entities/account';
import type { Services } from '../infra/db/orm';
import type { Logger } from '../infra/logger';
import { hashPassword } from './auth/passwords';

/**
 * The first admin, created at start-up when no account has the admin username. Its password comes from
 * ADMIN_PASSWORD; outside production, when none is given, one is generated, written to the data folder and logged
 * once (the only password that ever reaches a log, and only on a developer's machine).
 */
export async function ensureFirstAdmin(config: Config, services: Services, log: Logger): Promise<void> {
  const em = services.em.fork();
  if (await em.count(AccountSchema, { username: config.adminUsername })) return;

  let password = config.adminPassword;
  const file = path.join(config.dataDir, 'admin-password');
  if (!password) {
    if (config.production) throw new Error('ADMIN_PASSWORD must be set in production to create the first admin');
    password = fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : randomBytes(12).toString('base64url');
  }
  const now = new Date();
  em.create(AccountSchema, {
    id: randomUUID(),
    username: config.adminUsername,
    passwordHash: await hashPassword(password),
    role: 'ADMIN',
    gates: [],
    companyTaxCode: null,
    displayName: 'First administrator',
    disabled: false,
    tokenVersion: 1,
    createdAt: now,
    updatedAt: now,
  });
  try {
    await em.flush();
  } catch (err) {
    // Another API replica created it first.
    if (await services.em.fork().count(AccountSchema, { username: config.adminUsername })) return;
    throw err;
  }
  if (!config.adminPassword) {
    // Written only once the account exists, so whoever reads the file can log in with it.
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, `${password}\n`, { mode: 0o600 });
  }
  if (config.adminPassword) log.info({ username: config.adminUsername }, 'first admin created from ADMIN_PASSWORD');
  else
    log.warn(
      { username: config.adminUsername, passwordFile: file, generatedPassword: password },
      'first admin created with a generated password',
    );
}
