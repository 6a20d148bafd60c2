import fs from 'node:fs';
import path from 'node:path';
import { declaration, http } from './system/client';
import { launchSystem, ROOT, stopProcess } from '../infra/launch-system';

/** Its own system in its own data folder (embedded PostgreSQL, SQLite Temporal), stopped and started like npm start. */
describe('restarting npm start', () => {
  const dataDir = path.join(ROOT, '.data', 'test-restart');
  beforeAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('keeps every crossing and account', async () => {
    const first = await launchSystem({ dataDir });
    let crossingId: string;
    let token: string;
    const base = { baseUrl: first.system.apiUrl };
    try {
      const admin = (await http('POST', '/v1/auth/login', { ...base, body: { username: 'admin', password: first.system.adminPassword } }))
        .body.token;
      const created = await http('POST', '/v1/accounts', {
        ...base,
        token: admin,
        body: {
          username: 'restart-co',
          password: 'correct horse battery',
          role: 'DECLARANT',
          gates: ['HUU_NGHI'],
          companyTaxCode: '0109999999',
        },
      });
      expect(created.status).toBe(201);
      token = (await http('POST', '/v1/auth/login', { ...base, body: { username: 'restart-co', password: 'correct horse battery' } })).body
        .token;
      const crossing = await http('POST', '/v1/crossings', { ...base, token, body: declaration() });
      expect(crossing.status).toBe(201);
      crossingId = crossing.body.id;
    } finally {
      await stopProcess(first.process);
    }
    expect(first.process.exitCode).toBe(0);
    // Nothing the launcher started is left listening.
    expect(
      await fetch(`${first.system.apiUrl}/healthz`).then(
        () => 'up',
        () => 'down',
      ),
    ).toBe('down');

    const second = await launchSystem({ dataDir });
    try {
      const again = { baseUrl: second.system.apiUrl };
      const relogin = await http('POST', '/v1/auth/login', {
        ...again,
        body: { username: 'restart-co', password: 'correct horse battery' },
      });
      expect(relogin.status).toBe(200);
      const read = await http('GET', `/v1/crossings/${crossingId}`, { ...again, token: relogin.body.token });
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ id: crossingId, status: 'IN_PROGRESS', currentStep: 'health-check' });
      // The admin password generated on the first start still works, and no second one was made.
      expect(second.system.adminPassword).toBe(first.system.adminPassword);
    } finally {
      await stopProcess(second.process);
    }
  }, 300_000);
});
