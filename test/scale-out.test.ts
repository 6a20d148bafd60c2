import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { launchSystem, ROOT, stopProcess } from '../infra/launch-system';
import { declaration, db, http, system } from './system/client';
import { RUBBER } from './system/crossing-flow';

/**
 * A deployment runs many API and worker replicas against one Temporal and one PostgreSQL; the processes share nothing
 * else (docs/technical-notes.md lists the per-process caches). Here: two workers and two APIs, started by the same
 * launcher as `npm start`, on a database of their own, and one truck whose company and officers go through either API
 * in turn, as a load balancer would send them.
 */
describe('two workers and two APIs on one Temporal and one PostgreSQL', () => {
  const dataDir = path.join(ROOT, '.data', 'test-scale-out');
  const database = `scale_out_${randomUUID().slice(0, 8)}`;
  let launched: Awaited<ReturnType<typeof launchSystem>>;

  beforeAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await db().query(`create database ${database}`);
    const url = new URL(system().databaseUrl);
    url.pathname = `/${database}`;
    launched = await launchSystem({ dataDir, databaseUrl: url.toString(), workers: 2, apis: 2 });
  }, 300_000);

  afterAll(async () => {
    await stopProcess(launched?.process);
    await db().query(`drop database if exists ${database} with (force)`);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it('clears a crossing whose decisions alternate between the APIs, each API showing what the other did', async () => {
    const apis = launched.system.apiUrls!;
    expect(apis).toHaveLength(2);
    expect(new Set(apis).size).toBe(2);
    const at = (i: number) => ({ baseUrl: apis[i % 2] });

    const admin = (await http('POST', '/v1/auth/login', { ...at(0), body: { username: 'admin', password: launched.system.adminPassword } }))
      .body.token;
    // Each account is made through one API and logs in through the other: one accounts table, one signing secret.
    const person = async (role: string, i: number, extra: Record<string, unknown> = {}) => {
      const username = `${role.toLowerCase().replace(/_/g, '-')}-${randomUUID().slice(0, 8)}`;
      const made = await http('POST', '/v1/accounts', {
        ...at(i),
        token: admin,
        body: { username, password: 'correct horse battery', role, gates: ['HUU_NGHI'], ...extra },
      });
      expect(made.status).toBe(201);
      const login = await http('POST', '/v1/auth/login', { ...at(i + 1), body: { username, password: 'correct horse battery' } });
      expect(login.status).toBe(200);
      return login.body.token as string;
    };
    const company = await person('DECLARANT', 0, { companyTaxCode: '0107777777' });
    const officers: Record<string, string> = {
      'health-check': await person('HEALTH_OFFICER', 1),
      'border-entry': await person('BORDER_GUARD', 0),
      'customs-inspection': await person('CUSTOMS_OFFICER', 1),
      'fee-payment': await person('FEE_COLLECTOR', 0),
    };
    officers['border-exit'] = officers['border-entry'];

    const declared = await http('POST', '/v1/crossings', {
      ...at(0),
      token: company,
      body: declaration({ goods: [RUBBER], containers: [] }),
      headers: { 'Idempotency-Key': randomUUID() },
    });
    expect(declared.status).toBe(201);
    const id: string = declared.body.id;

    const steps = ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit'];
    for (const [i, step] of steps.entries()) {
      const body = step === 'fee-payment' ? { outcome: 'APPROVE', receiptNo: `R-${randomUUID().slice(0, 8)}` } : { outcome: 'APPROVE' };
      const decided = await http('POST', `/v1/crossings/${id}/steps/${step}/decision`, {
        ...at(i + 1),
        token: officers[step],
        body,
        headers: { 'Idempotency-Key': randomUUID() },
      });
      expect({ step, status: decided.status }).toEqual({ step, status: 200 });
      // The other API answers from the read model the change wrote before it was answered.
      const seen = await http('GET', `/v1/crossings/${id}`, { ...at(i), token: company });
      expect({ step, currentStep: seen.body.currentStep, status: seen.body.status }).toEqual({
        step,
        currentStep: decided.body.currentStep,
        status: decided.body.status,
      });
    }
    const final = await http('GET', `/v1/crossings/${id}?consistent=true`, { ...at(0), token: company });
    expect(final.body).toMatchObject({ status: 'CLEARED', currentStep: null });

    // Both workers poll the crossings' task queue: either may have run any of this crossing's tasks.
    const connection = await Connection.connect({ address: launched.system.temporalAddress });
    try {
      const described = await connection.workflowService.describeTaskQueue({
        namespace: 'default',
        taskQueue: { name: 'crossings' },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      const pids = new Set((described.pollers ?? []).map((p) => p.identity?.split('@')[0]));
      expect(pids).toEqual(new Set(launched.system.pids.workers!.map(String)));
    } finally {
      await connection.close();
    }
  }, 300_000);
});
