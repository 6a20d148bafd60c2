import fs from 'node:fs';
import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { ROLES } from '../domain/roles';
import { EncryptionCodec } from '../infra/payload-codec';
import { account, asAdmin, db, http, system } from './system/client';
import { approve, declare, staffOf } from './system/crossing-flow';

describe('what each role sees', () => {
  it('shows every role only the declaration sections its job needs, in the view and the list', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await declare(company);
    const tokens: Record<string, string> = {
      DECLARANT: company.token,
      HEALTH_OFFICER: staff.health.token,
      BORDER_GUARD: staff.guard.token,
      QUARANTINE_OFFICER: staff.quarantine.token,
      CUSTOMS_OFFICER: staff.customs.token,
      YARD_OPERATOR: staff.yard.token,
      FEE_COLLECTOR: staff.fees.token,
      MANAGER: staff.manager.token,
      ADMIN: await asAdmin(),
      TRAFFIC_POLICE: (await account('TRAFFIC_POLICE')).token,
      PARTNER: (await account('PARTNER')).token,
    };
    const expected: Record<string, string[]> = {
      DECLARANT: ['containers', 'customsDeclarationNo', 'driver', 'goods', 'health', 'vehicle'],
      MANAGER: ['containers', 'customsDeclarationNo', 'driver', 'goods', 'health', 'vehicle'],
      ADMIN: ['containers', 'customsDeclarationNo', 'driver', 'goods', 'health', 'vehicle'],
      HEALTH_OFFICER: ['driver', 'health'],
      BORDER_GUARD: ['containers', 'driver', 'vehicle'],
      QUARANTINE_OFFICER: ['containers', 'customsDeclarationNo', 'goods'],
      CUSTOMS_OFFICER: ['containers', 'customsDeclarationNo', 'goods'],
      YARD_OPERATOR: ['containers', 'vehicle'],
      FEE_COLLECTOR: ['vehicle'],
      // The truck on the road by its plate, nothing more.
      TRAFFIC_POLICE: [],
    };
    const sections = ['containers', 'customsDeclarationNo', 'driver', 'goods', 'health', 'vehicle'];
    for (const role of ROLES) {
      const view = await http('GET', `/v1/crossings/${created.id}`, { token: tokens[role] });
      // A partner authority reads no crossing through the API: its webhooks carry a status-only view
      // (test/webhooks.test.ts proves what they carry).
      if (role === 'PARTNER') {
        expect(view.status).toBe(403);
        continue;
      }
      expect(view.status).toBe(200);
      const d = view.body.declaration;
      // Everyone knows which truck it is and where it stands.
      expect(d.vehicle.plate).toBe('12C-123.45');
      expect(view.body).toMatchObject({ gate: 'HUU_NGHI', status: 'IN_PROGRESS', currentStep: 'health-check' });
      const full = sections.filter((s) => s in d && !(s === 'vehicle' && Object.keys(d.vehicle).length === 1));
      expect([role, full]).toEqual([role, expected[role]]);
      expect([role, 'fee' in view.body]).toEqual([role, ['DECLARANT', 'MANAGER', 'ADMIN', 'FEE_COLLECTOR'].includes(role)]);
    }
    // Health never sees goods values, the fee collector never the driver.
    const forHealth = await http('GET', `/v1/crossings/${created.id}`, { token: staff.health.token });
    expect(JSON.stringify(forHealth.body)).not.toContain('valueUsd');
    const forFees = await http('GET', `/v1/crossings/${created.id}`, { token: staff.fees.token });
    expect(JSON.stringify(forFees.body)).not.toContain('Nguyen Van A');
    // Decision answers obey the same rule.
    const decided = await http('POST', `/v1/crossings/${created.id}/steps/health-check/decision`, {
      token: staff.health.token,
      body: { outcome: 'APPROVE' },
    });
    expect(decided.body.declaration.goods).toBeUndefined();
  });
});

describe('company data inside Temporal', () => {
  it('stores declarations and decisions encrypted: the raw history has no plate, tax code or goods in clear', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT', ['HUU_NGHI'], { companyTaxCode: '0312345678-001' });
    const goods = {
      hsCode: '08106000',
      description: 'Durian Ri6 grade A',
      quantity: 800,
      unit: 'CARTON',
      netWeightKg: 16000,
      valueUsd: 64000,
      origin: 'VN',
    };
    const created = await declare(company, { vehicle: { plate: '24C-555.66', country: 'VN', grossWeightKg: 30000 }, goods: [goods] });
    await approve(staff, created.id, ['health-check']);

    const connection = await Connection.connect({ address: system().temporalAddress });
    try {
      const raw = new Client({ connection }); // no codec: what anyone with access to the server would read
      const history = await raw.workflow.getHandle(`crossing-${created.id}`).fetchHistory();
      const text = JSON.stringify(history, (_k, v) => (v && v.type === 'Buffer' ? Buffer.from(v.data).toString('latin1') : v));
      for (const secret of ['24C-555.66', '24C55566', '0312345678', 'Durian Ri6', 'Nguyen Van A', '001090012345']) {
        expect([secret, text.includes(secret)]).toEqual([secret, false]);
      }
      expect(text).toContain(Buffer.from('binary/encrypted').toString('base64'));

      // With the keys, the same history reads back.
      const codec = EncryptionCodec.fromConfig({ dataDir: system().dataDir, production: false });
      const decoding = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
      const view = await decoding.workflow.getHandle(`crossing-${created.id}`).query('view.v1');
      expect((view as any).declaration.goods[0].description).toBe('Durian Ri6 grade A');
    } finally {
      await connection.close();
    }

    // The codec endpoint decrypts for admins only.
    const encrypted = await http('POST', '/codec/encode', {
      token: await asAdmin(),
      body: {
        payloads: [
          { metadata: { encoding: Buffer.from('json/plain').toString('base64') }, data: Buffer.from('"hello"').toString('base64') },
        ],
      },
    });
    expect(encrypted.status).toBe(200);
    const decoded = await http('POST', '/codec/decode', { token: await asAdmin(), body: encrypted.body });
    expect(Buffer.from(decoded.body.payloads[0].data, 'base64').toString()).toBe('"hello"');
  });

  it('opens payloads written under an older key after the keys rotate', async () => {
    const old = EncryptionCodec.parse(`k1:${Buffer.alloc(32, 1).toString('base64')}`);
    const rotated = EncryptionCodec.parse(`k2:${Buffer.alloc(32, 2).toString('base64')},k1:${Buffer.alloc(32, 1).toString('base64')}`);
    const [sealed] = await old.encode([{ metadata: {}, data: Buffer.from('secret') }]);
    const [opened] = await rotated.decode([sealed]);
    expect(Buffer.from(opened.data!).toString()).toBe('secret');
    const [resealed] = await rotated.encode([opened]);
    expect(Buffer.from(resealed.metadata!['encryption-key-id']).toString()).toBe('k2');
  });
});

describe('idempotency everywhere', () => {
  it('answers a repeated request with its first answer, and the same key with another body with 422', async () => {
    const admin = await asAdmin();
    const key = `create-${randomUUID()}`;
    const username = `idem-${randomUUID().slice(0, 8)}`;
    const body = { username, password: 'correct horse battery', role: 'MANAGER', gates: ['HUU_NGHI'] };
    const first = await http('POST', '/v1/accounts', { token: admin, body, headers: { 'Idempotency-Key': key } });
    const second = await http('POST', '/v1/accounts', { token: admin, body, headers: { 'Idempotency-Key': key } });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    const { rows } = await db().query('select count(*)::int as n from account where username = $1', [username]);
    expect(rows[0].n).toBe(1);

    const other = await http('POST', '/v1/accounts', {
      token: admin,
      body: { ...body, role: 'ADMIN' },
      headers: { 'Idempotency-Key': key },
    });
    expect(other.status).toBe(422);
    expect(other.headers.get('content-type')).toMatch(/problem\+json/);

    // A refusal is an answer too: repeated, it is the same refusal, and nothing happens twice.
    const company = await account('DECLARANT');
    const crossing = await declare(company);
    const cancelKey = { 'Idempotency-Key': `cancel-${crossing.id}` };
    const cancelled = await http('POST', `/v1/crossings/${crossing.id}/cancel`, {
      token: company.token,
      body: { reason: 'x' },
      headers: cancelKey,
    });
    const again = await http('POST', `/v1/crossings/${crossing.id}/cancel`, {
      token: company.token,
      body: { reason: 'x' },
      headers: cancelKey,
    });
    expect(again.body).toEqual(cancelled.body);
  });
});

describe('hardening', () => {
  it('sends security headers', async () => {
    const res = await fetch(`${system().apiUrl}/healthz`);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
    expect(res.headers.get('x-powered-by')).toBeNull();
  });

  // The test system trusts X-Forwarded-For from loopback (TRUST_PROXY=loopback), as behind an ingress: each
  // request below comes from the address it names.
  const from = (address: string) => ({ 'X-Forwarded-For': address });
  const login = (username: string, password: string, address: string) =>
    http('POST', '/v1/auth/login', { body: { username, password }, headers: from(address) });

  it('slows a guessing address down for that account, while the owner logs in from elsewhere', async () => {
    const victim = await account('MANAGER');
    const answers: number[] = [];
    for (let i = 0; i < 6; i++) answers.push((await login(victim.username, `guess-${i}-wrong`, '203.0.113.7')).status);
    // Three tries, then the address waits (1 s, 2 s, …) before a try is even checked: 429 with Retry-After.
    expect(answers.slice(0, 3)).toEqual([401, 401, 401]);
    const throttled = await login(victim.username, victim.password, '203.0.113.7');
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(throttled.body.detail).toMatch(/for this account from this address; wait \d+ s/);
    // The owner, at an address that has not been failing, is never refused the right password; nor is anyone else.
    expect((await login(victim.username, victim.password, '198.51.100.20')).status).toBe(200);
    const bystander = await account('MANAGER');
    expect((await login(bystander.username, bystander.password, '203.0.113.7')).status).toBe(200);
  });

  it('lets no more than the free tries of a burst of parallel guesses reach the password check', async () => {
    const victim = await account('MANAGER');
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => login(victim.username, `burst-${i}-wrong`, '203.0.113.8').then((r) => r.status)),
    );
    expect(answers.filter((s) => s === 401).length).toBeLessThanOrEqual(3);
    expect(answers.filter((s) => s !== 401 && s !== 429)).toEqual([]);
  });

  it('makes every failing address wait at once when guesses at one account come from many, and still lets the owner in', async () => {
    const victim = await account('MANAGER');
    for (let a = 1; a <= 4; a++) for (let i = 0; i < 3; i++) await login(victim.username, `spread-${a}-${i}`, `203.0.113.${100 + a}`);
    // Twelve failures from four addresses: a fifth address waits after its first failure.
    expect((await login(victim.username, 'one more guess', '203.0.113.200')).status).toBe(401);
    expect((await login(victim.username, 'and another', '203.0.113.200')).status).toBe(429);
    expect((await login(victim.username, victim.password, '198.51.100.30')).status).toBe(200);
  });

  it('slows down an address failing across many accounts (credential stuffing), by address', async () => {
    const address = '203.0.113.250';
    let last = 0;
    for (let i = 0; i < 101 && last !== 429; i++) last = (await login(`nobody-${i}-${Date.now()}`, 'stuffed password', address)).status;
    expect(last).toBe(429);
    const owner = await account('MANAGER');
    const refused = await login(owner.username, owner.password, address);
    expect([refused.status, refused.body.detail]).toEqual([429, expect.stringMatching(/from this address/)]);
    expect((await login(owner.username, owner.password, '198.51.100.40')).status).toBe(200);
  }, 120_000);

  it('counts guesses in PostgreSQL, so every API replica sees the same counters', async () => {
    const victim = await account('MANAGER');
    for (let i = 0; i < 3; i++) await login(victim.username, `replica-${i}`, '203.0.113.9');
    const { rows } = await db().query('select failures from login_failure where key = $1', [`pair:${victim.username}|203.0.113.9`]);
    expect(rows[0].failures).toBe(3);
  });

  it('writes no plate, tax code, driver or goods into the logs of a full crossing', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT', ['HUU_NGHI'], { companyTaxCode: '0319876543' });
    const created = await declare(company, {
      vehicle: { plate: '14C-777.88', country: 'VN', grossWeightKg: 30000 },
      driver: { fullName: 'Tran Thi Logcheck', idNumber: '001199000111', nationality: 'VN', phone: '+84900000000' },
    });
    await approve(staff, created.id, ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit']);
    await http('GET', `/v1/crossings?plate=14C-777.88`, { token: staff.manager.token });
    await new Promise((r) => setTimeout(r, 500));
    const logs = fs.readFileSync(system().logFile, 'utf8');
    expect(logs).toContain(created.id); // the crossing's traffic is in the log…
    for (const secret of ['14C-777.88', '14C77788', '0319876543', 'Tran Thi Logcheck', '001199000111', 'Natural rubber']) {
      expect([secret, logs.includes(secret)]).toEqual([secret, false]); // …its data is not
    }
  });
});
