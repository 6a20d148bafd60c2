import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { EncryptionCodec } from '../infra/payload-codec';
import { workflowSpanSinks } from '../infra/tracing';
import { account, db, declaration, http, httpRetrying, system } from './system/client';
import { RUBBER, staffOf, statusOf } from './system/crossing-flow';
import { kill, startApi, startWorker } from './system/processes';

describe('durability', () => {
  const taskQueue = `durability-${randomUUID().slice(0, 8)}`;
  let api: Awaited<ReturnType<typeof startApi>>;
  const workers: ReturnType<typeof startWorker>[] = [];

  beforeAll(async () => {
    api = await startApi(taskQueue);
    workers.push(startWorker(taskQueue));
  });
  afterAll(async () => {
    await Promise.all([kill(api.process, 'SIGTERM'), ...workers.map((w) => kill(w, 'SIGTERM'))]);
  });

  const call = (method: string, path: string, opts: Parameters<typeof http>[2] = {}) => http(method, path, { ...opts, baseUrl: api.url });
  const decide = (token: string, id: string, step: string, body: object = { outcome: 'APPROVE' }) =>
    call('POST', `/v1/crossings/${id}/steps/${step}/decision`, { token, body, headers: { 'Idempotency-Key': randomUUID() } });

  it('loses nothing and duplicates nothing when the worker is killed in the middle of a crossing', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    // The first call after this file's worker started: on a busy machine the worker may still be starting, and the
    // client retries a 503 with its key as API.md says (a test fails on a hang, never on speed).
    const created = await httpRetrying('POST', '/v1/crossings', {
      baseUrl: api.url,
      token: company.token,
      body: declaration({ goods: [RUBBER] }),
      key: randomUUID(),
    });
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect((await decide(staff.health.token, id, 'health-check')).status).toBe(200);

    // The border guard's decision is sent; the worker dies while it is being handled (or just before). The guard's
    // client retries with the same key, as API.md says: a 503 meanwhile says the outcome is unknown, and the retry
    // gets the one real outcome once a worker runs again.
    const inFlight = httpRetrying('POST', `/v1/crossings/${id}/steps/border-entry/decision`, {
      baseUrl: api.url,
      token: staff.guard.token,
      body: { outcome: 'APPROVE' },
      key: randomUUID(),
    });
    await new Promise((r) => setTimeout(r, 30));
    await kill(workers[workers.length - 1], 'SIGKILL');
    await new Promise((r) => setTimeout(r, 6000));
    workers.push(startWorker(taskQueue));
    const entry = await inFlight;
    expect(entry.status).toBe(200);
    expect(entry.body.currentStep).toBe('customs-inspection');

    for (const [officer, step, body] of [
      [staff.customs, 'customs-inspection', { outcome: 'APPROVE' }],
      [staff.fees, 'fee-payment', { outcome: 'APPROVE', receiptNo: 'BL-0001' }],
      [staff.guard, 'border-exit', { outcome: 'APPROVE' }],
    ] as const) {
      expect((await decide(officer.token, id, step, body)).status).toBe(200);
    }
    const cleared = await call('GET', `/v1/crossings/${id}`, { token: company.token });
    expect(cleared.body.status).toBe('CLEARED');
    expect(Object.values(statusOf(cleared.body)).filter((s) => s === 'APPROVED')).toHaveLength(6);

    // Exactly one of everything: decisions, yard reservation, events without gaps or repeats.
    const events = await db().query('select seq, type, step from crossing_event where crossing_id = $1 order by seq', [id]);
    expect(events.rows.map((e) => e.seq)).toEqual(events.rows.map((_, i) => i + 1));
    const decisions = events.rows.filter((e) => e.type === 'DECISION').map((e) => e.step);
    expect(decisions).toEqual(['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit']);
    const yard = await db().query('select count(*)::int as n from yard_reservation where crossing_id = $1', [id]);
    expect(yard.rows[0].n).toBe(1);
  }, 120_000);

  it('replays the recorded history of a full crossing without non-determinism', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const created = await call('POST', '/v1/crossings', { token: company.token, body: declaration({ transshipment: true }) });
    const id = created.body.id;
    await decide(staff.health.token, id, 'health-check');
    await decide(staff.guard.token, id, 'border-entry');
    await decide(staff.quarantine.token, id, 'quarantine', {
      outcome: 'RETURN',
      reason: 'Phytosanitary certificate number missing',
      fields: [{ path: 'goods.0.description', message: 'add the certificate number' }],
    });
    await call('PUT', `/v1/crossings/${id}/declaration`, {
      token: company.token,
      body: declaration({
        transshipment: true,
        goods: [{ ...declaration().goods[0], description: 'Fresh dragon fruit, phyto cert 2026/123' }],
      }),
    });
    await decide(staff.quarantine.token, id, 'quarantine');
    await call('POST', `/v1/crossings/${id}/transshipment`, {
      token: company.token,
      body: { yardCode: 'HN-Y1', toVehicle: { plate: '桂A54321', country: 'CN' } },
    });
    await decide(staff.customs.token, id, 'transshipment');
    await call('POST', `/v1/crossings/${id}/transshipment/complete`, { token: staff.yard.token, body: {} });
    await decide(staff.customs.token, id, 'customs-inspection');
    await decide(staff.fees.token, id, 'fee-payment', { outcome: 'APPROVE', receiptNo: 'BL-0002' });
    const last = await decide(staff.guard.token, id, 'border-exit');
    expect(last.body.status).toBe('CLEARED');

    const connection = await Connection.connect({ address: system().temporalAddress });
    try {
      // The history is encrypted; the client and the replaying worker decode it with the same keys as the real ones.
      const codec = EncryptionCodec.fromConfig({ dataDir: system().dataDir, production: false });
      const client = new Client({ connection, dataConverter: { payloadCodecs: [codec] } });
      const handle = client.workflow.getHandle(`crossing-${id}`);
      await handle.result();
      const history = await handle.fetchHistory();
      await Worker.runReplayHistory(
        { workflowBundle: { codePath: system().bundlePath }, dataConverter: { payloadCodecs: [codec] }, sinks: workflowSpanSinks() },
        history,
        `crossing-${id}`,
      );
    } finally {
      await connection.close();
    }
  }, 120_000);
});
