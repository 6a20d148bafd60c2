import { randomUUID } from 'node:crypto';
import type { ApiContext } from '../api/context';
import { idempotent, requestHash } from '../api/idempotency';
import { conflict } from '../api/problem';
import { CrossingBusy } from '../domain/errors';
import { initORM, type Services } from '../infra/db/orm';
import { account, db, declaration, http, httpRetrying, system } from './system/client';
import { approve, crossingExpiredAtCustoms, RUBBER, staffOf, statusOf } from './system/crossing-flow';
import { kill, startApi, startWorker } from './system/processes';

/**
 * What clients hear while a part is down, told with an API and a worker of their own (on a private task queue) that
 * the test stops and starts: every answer comes within the API's bound, names the dependency really at fault, and a
 * retry with the same Idempotency-Key gets the real outcome once the part is back.
 */
describe('answers while a part is down', () => {
  const taskQueue = `reliability-${randomUUID().slice(0, 8)}`;
  let api: Awaited<ReturnType<typeof startApi>>;
  let worker: ReturnType<typeof startWorker> | undefined;

  beforeAll(async () => {
    api = await startApi(taskQueue);
  });
  afterAll(async () => {
    await Promise.all([kill(api.process, 'SIGTERM'), worker && kill(worker, 'SIGTERM')]);
  });

  const call = (method: string, path: string, opts: Parameters<typeof http>[2] = {}) => http(method, path, { ...opts, baseUrl: api.url });

  it('is not ready while no worker sends heartbeats, naming the worker, while ?self=true stays ready', async () => {
    const ready = await call('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.headers.get('retry-after')).toBe('2');
    expect(ready.body.checks).toMatchObject({ postgres: 'up', temporal: 'up', worker: expect.stringMatching(/^down/) });
    expect(ready.body.detail).toMatch(/the worker down/);
    const self = await call('GET', '/readyz?self=true');
    expect(self.status).toBe(200);
    expect(self.body.checks).toEqual({ postgres: 'up', temporal: 'up' });
  });

  it('answers a declaration made while no worker runs with 503 "outcome unknown" naming the worker, and its retry with the real outcome', async () => {
    const company = await account('DECLARANT');
    const key = randomUUID();
    const started = Date.now();
    const first = await call('POST', '/v1/crossings', {
      token: company.token,
      body: declaration({ goods: [RUBBER] }),
      headers: { 'Idempotency-Key': key },
    });
    const took = Date.now() - started;
    expect(first.status).toBe(503);
    expect(took).toBeLessThan(15_000); // a hang, not a speed judgement: the API states 8 s
    expect(first.headers.get('retry-after')).toBe('2');
    expect(first.body).toMatchObject({ dependency: 'worker', outcome: 'UNKNOWN' });
    expect(first.body.detail).toMatch(/^The worker is not available \(.*heartbeat.*\)\. The outcome of this request is unknown/);

    // The same request again while it is still unknown: the same answer, never a second crossing.
    const again = await call('POST', '/v1/crossings', {
      token: company.token,
      body: declaration({ goods: [RUBBER] }),
      headers: { 'Idempotency-Key': key },
    });
    expect(again.status).toBe(503);
    // The key still belongs to that request: another body under it is refused, not run as if it were the first.
    const declared = declaration({ goods: [RUBBER] });
    const other = await call('POST', '/v1/crossings', {
      token: company.token,
      body: { ...declared, vehicle: { ...declared.vehicle, grossWeightKg: declared.vehicle.grossWeightKg + 1 } },
      headers: { 'Idempotency-Key': key },
    });
    expect(other.status).toBe(422);

    worker = startWorker(taskQueue);
    const settled = await httpRetrying('POST', '/v1/crossings', {
      baseUrl: api.url,
      token: company.token,
      body: declaration({ goods: [RUBBER] }),
      key,
    });
    expect(settled.status).toBe(201);
    expect(settled.body.currentStep).toBe('health-check');
    const { rows } = await db().query('select count(*)::int as n from crossing where company_tax_code = $1', [company.companyTaxCode]);
    expect(rows[0].n).toBe(1);
    expect((await call('GET', '/readyz')).status).toBe(200);
  }, 90_000);

  it('names the worker, not Temporal, in the first seconds of a worker freeze, while its heartbeat is not yet stale', async () => {
    const company = await account('DECLARANT');
    const health = await account('HEALTH_OFFICER');
    const created = await httpRetrying('POST', '/v1/crossings', {
      baseUrl: api.url,
      token: company.token,
      body: declaration({ goods: [RUBBER] }),
      key: randomUUID(),
    });
    expect(created.status).toBe(201);
    // A heartbeat written just now: /readyz calls the worker alive for 10 s more, whatever it does meanwhile.
    await until(async () => (await call('GET', '/readyz')).status === 200);
    const key = randomUUID();
    const path = `/v1/crossings/${created.body.id}/steps/health-check/decision`;
    worker!.kill('SIGSTOP');
    let first;
    try {
      first = await call('POST', path, { token: health.token, body: { outcome: 'APPROVE' }, headers: { 'Idempotency-Key': key } });
    } finally {
      worker!.kill('SIGCONT');
    }
    expect(first.status).toBe(503);
    expect(first.body).toMatchObject({ dependency: 'worker', outcome: 'UNKNOWN' });
    expect(first.body.detail).toMatch(/^The worker is not available \(no worker processed the crossing in time; .*heartbeat/);
    expect(first.body.detail).not.toMatch(/Temporal/);

    const settled = await httpRetrying('POST', path, { baseUrl: api.url, token: health.token, body: { outcome: 'APPROVE' }, key });
    expect(settled.status).toBe(200);
    expect(settled.body.currentStep).toBe('border-entry');
  }, 90_000);

  it('lets a retry after a cut request find its outcome at once for a crossing change, and take other claims over after the lease', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await http('POST', '/v1/crossings', { token: company.token, body: declaration({ goods: [RUBBER] }) });
    // A decision whose request was cut after it claimed its key (its API process killed): the claim is still leased.
    const key = `cut-${randomUUID()}`;
    const path = `/v1/crossings/${created.body.id}/steps/health-check/decision`;
    const hash = requestHash('post', path, { outcome: 'APPROVE' });
    await db().query(
      `insert into idempotency_record (account_id, key, request_hash, locked_until) values ($1, $2, $3, now() + interval '1 minute')`,
      [staff.health.id, key, hash],
    );
    const retried = await http('POST', path, {
      token: staff.health.token,
      body: { outcome: 'APPROVE' },
      headers: { 'Idempotency-Key': key },
    });
    expect(retried.status).toBe(200);
    expect(retried.body.currentStep).toBe('border-entry');

    // An account change is not repeatable by Temporal: a retry waits the lease out, told how long, then takes over.
    const admin = await account('ADMIN', []);
    const accountKey = `cut-${randomUUID()}`;
    const body = { username: `cut-${randomUUID().slice(0, 8)}`, password: 'correct horse battery', role: 'MANAGER', gates: ['HUU_NGHI'] };
    const accountHash = requestHash('post', '/v1/accounts', body);
    await db().query(
      `insert into idempotency_record (account_id, key, request_hash, locked_until) values ($1, $2, $3, now() + interval '3 seconds')`,
      [admin.id, accountKey, accountHash],
    );
    const busy = await http('POST', '/v1/accounts', { token: admin.token, body, headers: { 'Idempotency-Key': accountKey } });
    expect(busy.status).toBe(409);
    expect(Number(busy.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(busy.body.detail).toMatch(/still being processed; retry in \d+ s with the same key/);
    await new Promise((r) => setTimeout(r, 3500));
    const taken = await http('POST', '/v1/accounts', { token: admin.token, body, headers: { 'Idempotency-Key': accountKey } });
    expect(taken.status).toBe(201);
  });

  it('shows an ended crossing with every step final, the same in its view, its workflow and the list', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await http('POST', '/v1/crossings', { token: company.token, body: declaration({ goods: [RUBBER] }) });
    await approve(staff, created.body.id, ['health-check']);
    const cancelled = await http('POST', `/v1/crossings/${created.body.id}/cancel`, {
      token: company.token,
      body: { reason: 'sold elsewhere' },
    });
    expect(cancelled.status).toBe(200);
    const steps = Object.fromEntries(cancelled.body.steps.map((s: { step: string; status: string }) => [s.step, s.status]));
    expect(steps).toEqual({
      declaration: 'APPROVED',
      'health-check': 'APPROVED',
      'border-entry': 'SKIPPED',
      quarantine: 'SKIPPED',
      transshipment: 'SKIPPED',
      'customs-inspection': 'SKIPPED',
      'fee-payment': 'SKIPPED',
      'border-exit': 'SKIPPED',
    });
    expect(cancelled.body.steps.find((s: { step: string }) => s.step === 'border-entry').reason).toBe(
      'The crossing was cancelled at this step.',
    );
    const view = await http('GET', `/v1/crossings/${created.body.id}`, { token: company.token });
    const live = await http('GET', `/v1/crossings/${created.body.id}?consistent=true`, { token: company.token });
    const list = await http('GET', `/v1/crossings?status=CANCELLED&limit=200`, { token: company.token });
    expect(view.body).toEqual(cancelled.body);
    expect(live.body).toEqual(cancelled.body);
    expect(list.body.items.find((i: { id: string }) => i.id === created.body.id)).toMatchObject({ status: 'CANCELLED', currentStep: null });
  });

  it('shows a crossing that expired with every step final, the same in its view, its workflow and the list', async () => {
    const { gate, staff, company, created, expired } = await crossingExpiredAtCustoms();
    expect(statusOf(expired)).toEqual({
      declaration: 'APPROVED',
      'health-check': 'APPROVED',
      'border-entry': 'COMPENSATED',
      quarantine: 'SKIPPED',
      transshipment: 'SKIPPED',
      'customs-inspection': 'SKIPPED',
      'fee-payment': 'SKIPPED',
      'border-exit': 'SKIPPED',
    });
    expect(expired.steps.find((s: { step: string }) => s.step === 'customs-inspection').reason).toBe('The crossing expired at this step.');
    expect(expired.currentStep).toBeNull();

    const live = await http('GET', `/v1/crossings/${created.id}?consistent=true`, { token: company.token });
    expect(live.body).toEqual(expired);
    const list = await http('GET', `/v1/crossings?status=EXPIRED&gate=${gate}`, { token: staff.manager.token });
    const item = list.body.items.find((i: { id: string }) => i.id === created.id);
    expect(item).toMatchObject({ status: 'EXPIRED', currentStep: null, overdue: false, updatedAt: expired.updatedAt });
  });
});

/**
 * What is kept under an Idempotency-Key, against the real idempotency table: an answer that tells the client to retry
 * (a crossing busy with other requests, a dependency down) is not the outcome, so the retry with the same key runs
 * for real; a refusal that stands (409, the step is not waiting) is the outcome and is given again.
 */
describe('answers kept under an Idempotency-Key', () => {
  let services: Services;
  let ctx: ApiContext;
  beforeAll(async () => {
    services = await initORM(system().databaseUrl, { poolMax: 2 });
    ctx = { services, config: { requestTimeoutMs: 8000 }, log: { warn: () => undefined } } as unknown as ApiContext;
  });
  afterAll(() => services.orm.close());

  const request = async (key: string) => ({ accountId: (await account('DECLARANT')).id, key, hash: 'h', repeatable: true });

  it.each([
    ['a crossing busy with other requests (409, Retry-After)', () => new CrossingBusy()],
    [
      'a still-unknown outcome (409, Retry-After)',
      () => conflict('busy; may still take effect', { outcome: 'UNKNOWN' }, { 'Retry-After': '1' }),
    ],
  ])('does not replay %s: the retry with the same key gets the real outcome', async (_what, transient) => {
    const req = await request(randomUUID());
    const first = await idempotent(ctx, req, () => Promise.reject(transient())).catch((err: unknown) => err);
    expect(first).toBeInstanceOf(Error);
    const retried = await idempotent(ctx, req, async () => ({ status: 200, body: { decided: true } }));
    expect(retried).toEqual({ status: 200, body: { decided: true } });
    const again = await idempotent(ctx, req, () => Promise.reject(new Error('must not run: the outcome is kept')));
    expect(again).toMatchObject({ status: 200, body: { decided: true }, replayed: true });
  });

  it('does not replay an answer given with Retry-After, and does replay a 409 that stands', async () => {
    const req = await request(randomUUID());
    const busy = { status: 409, body: { detail: 'busy' }, headers: { 'Retry-After': '1' } };
    expect(await idempotent(ctx, req, async () => busy)).toEqual(busy);
    expect(await idempotent(ctx, req, async () => ({ status: 200, body: { ok: true } }))).toEqual({ status: 200, body: { ok: true } });

    const refused = await request(randomUUID());
    const standing = await idempotent(ctx, refused, () => Promise.reject(conflict('The step is not waiting.')));
    expect(standing.status).toBe(409);
    const replay = await idempotent(ctx, refused, () => Promise.reject(new Error('must not run: the outcome is kept')));
    expect(replay).toMatchObject({ status: 409, replayed: true });
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the condition did not come true in time');
    await new Promise((r) => setTimeout(r, 250));
  }
}
