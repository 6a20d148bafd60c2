import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { launchSystem, ROOT, stopProcess } from '../../infra/launch-system';
import { EncryptionCodec } from '../../infra/payload-codec';
import { account, asAdmin, db, declaration, http } from '../system/client';
import { approve, decide, declare, RUBBER, staffOf, waitFor } from '../system/crossing-flow';
import { gateWithDeadlines } from '../system/test-gate';
import { REPLAY_PAYLOAD_KEYS } from './keys';
import { signDeviceRequest } from '../../api/device-signature';
import { webhookDeliveryIdOf } from '../../domain/workflow-ids';
import { TestReceiver } from '../system/webhook-receiver';

/**
 * `npm run replay:capture`: records real histories of every path a crossing can take, on a system started as
 * `npm start` starts it with a payload key kept for tests only, and writes them to test/replay/histories/<today>/. The replay
 * test runs today's workflow code against them: a change that would break crossings already running fails it.
 * Run again (and commit the new files) when a change adds a path; never to paper over a broken replay. A history
 * already in today's set is kept, not captured again.
 */
/** A new set beside the earlier ones (named by the day), which stay: the replay test runs every set. */
/** `--out <folder>` writes elsewhere instead (to look at a history, say, without making a set). */
const OUT = process.argv.includes('--out')
  ? path.resolve(process.argv[process.argv.indexOf('--out') + 1])
  : path.join(ROOT, 'test', 'replay', 'histories', new Date().toISOString().slice(0, 10));

const fruit = { ...RUBBER, hsCode: '08109010', description: 'Fresh dragon fruit' };
const paths: Record<string, () => Promise<string>> = {
  async cleared() {
    const staff = await staffOf();
    const c = await declare(await account('DECLARANT'));
    await approve(staff, c.id, ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit']);
    return c.id;
  },
  async 'returned-and-resubmitted'() {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const c = await declare(company);
    await approve(staff, c.id, ['health-check', 'border-entry']);
    await decide(staff.customs, c.id, 'customs-inspection', {
      outcome: 'RETURN',
      reason: 'Seal number does not match',
      fields: [{ path: 'containers.0.sealNo', message: 'check the seal' }],
    });
    await http('PUT', `/v1/crossings/${c.id}/declaration`, { token: company.token, body: declaration({ goods: [RUBBER] }) });
    await approve(staff, c.id, ['customs-inspection', 'fee-payment', 'border-exit']);
    return c.id;
  },
  async 'denied-with-compensation'() {
    const staff = await staffOf();
    const c = await declare(await account('DECLARANT'));
    await approve(staff, c.id, ['health-check', 'border-entry']);
    await decide(staff.customs, c.id, 'customs-inspection', { outcome: 'DENY', reason: 'Undeclared goods' });
    return c.id;
  },
  async 'overdue-then-expired'() {
    const gate = await gateWithDeadlines([{ step: 'health-check', sla: 'PT2S', expireAfter: 'PT5S' }]);
    const company = await account('DECLARANT', [gate]);
    const c = await declare(company, { gate });
    await waitFor(company.token, c.id, (v) => v.status === 'EXPIRED', 30_000);
    return c.id;
  },
  async 'transshipment-with-quarantine'() {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const c = await declare(company, { goods: [fruit], transshipment: true });
    await approve(staff, c.id, ['health-check', 'border-entry', 'quarantine']);
    await http('POST', `/v1/crossings/${c.id}/transshipment`, {
      token: company.token,
      body: { yardCode: 'HN-Y1', toVehicle: { plate: '桂A54321', country: 'CN' } },
    });
    await approve(staff, c.id, ['transshipment']);
    await http('POST', `/v1/crossings/${c.id}/transshipment/complete`, { token: staff.yard.token, body: {} });
    await approve(staff, c.id, ['customs-inspection', 'fee-payment', 'border-exit']);
    return c.id;
  },
  async 'cancelled-after-payment'() {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const c = await declare(company);
    await approve(staff, c.id, ['health-check', 'border-entry', 'customs-inspection', 'fee-payment']);
    await http('POST', `/v1/crossings/${c.id}/cancel`, { token: company.token, body: { reason: 'buyer withdrew' } });
    return c.id;
  },
  async 'paid-online'() {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const c = await declare(company);
    await approve(staff, c.id, ['health-check', 'border-entry', 'customs-inspection']);
    const payment = await http('POST', `/v1/crossings/${c.id}/fee/online-payment`, { token: company.token });
    await http('POST', `/dev/payment-provider/payments/${payment.body.paymentId}`, { body: { status: 'SUCCEEDED' } });
    await approve(staff, c.id, ['border-exit']);
    return c.id;
  },
  async 'policy-re-armed'() {
    const gate = await gateWithDeadlines([{ step: 'health-check', sla: 'PT1H', expireAfter: 'PT2H' }]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const c = await declare(company, { gate });
    await http('PUT', '/v1/admin/step-timeouts', {
      token: await asAdmin(),
      body: { gate, category: '*', step: 'health-check', sla: 'PT10M', expireAfter: 'PT3H' },
    });
    await waitFor(
      company.token,
      c.id,
      (v) => v.steps.find((s: { step: string }) => s.step === 'health-check').expiresAt.length > 0,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 3000));
    await http('POST', `/v1/crossings/${c.id}/cancel`, { token: company.token, body: { reason: 'captured' } });
    void staff;
    return c.id;
  },
  async 'incident-and-retry'() {
    const gate = `T_${randomUUID().replace(/-/g, '').slice(0, 12).toUpperCase()}`;
    await db().query(
      `insert into gate (code, name, province, fee_collector) values ($1, 'No yard yet', 'Lạng Sơn', 'GATE_MANAGEMENT_CENTRE')`,
      [gate],
    );
    const staff = await staffOf(gate);
    const c = await declare(await account('DECLARANT', [gate]), { gate });
    await approve(staff, c.id, ['health-check', 'border-entry']);
    await db().query(`insert into yard (gate_code, code, capacity) values ($1, 'Y1', 10)`, [gate]);
    await http('POST', `/v1/crossings/${c.id}/incident/retry`, { token: await asAdmin() });
    await approve(staff, c.id, ['customs-inspection', 'fee-payment', 'border-exit']);
    return c.id;
  },
  /** The gate floor: a green channel set before inspection, arrivals read by a camera and a barrier, one linked by a guard. */
  async 'gate-floor'() {
    const gate = await gateWithDeadlines([]);
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const vehicle = { plate: '29B-246.80', trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 };
    const c = await declare(company, { gate, vehicle });
    await http('POST', `/v1/crossings/${c.id}/customs-channel`, {
      token: staff.customs.token,
      body: { channel: 'GREEN', source: 'VNACCS' },
    });
    await approve(staff, c.id, ['health-check', 'border-entry']);
    const admin = await asAdmin();
    const device = async (point: string, kind: string) => {
      const code = `REPLAY-${randomUUID().slice(0, 8).toUpperCase()}`;
      const res = await http('POST', '/v1/admin/devices', { token: admin, body: { code, gate, point, kind } });
      return { code, secret: res.body.secret as string };
    };
    const read = async (dev: { code: string; secret: string }, plate: string) => {
      const body = JSON.stringify({ eventId: randomUUID(), plate, at: new Date().toISOString(), confidence: 0.95 });
      const headers = { 'content-type': 'application/json', 'X-Device': dev.code, 'X-Signature': signDeviceRequest(dev.secret, body) };
      return (await http('POST', '/v1/gate-events', { body, headers })).body;
    };
    const doubtful = await read(await device('BARRIER_ENTRY', 'BARRIER'), '298-246.80');
    await http('POST', `/v1/gate-events/${doubtful.eventId}/match`, { token: staff.guard.token, body: { crossingId: c.id } });
    await read(await device('YARD_ENTRY', 'CAMERA'), '29B-246.80');
    await waitFor(company.token, c.id, (v) => v.arrivals.length === 2);
    await approve(staff, c.id, ['fee-payment', 'border-exit']);
    return c.id;
  },
  /**
   * The virtual queue: joined, called, not come in time (sent to the back), called again, read entering the yard, then
   * cleared. Its gate's dispatcher, still running, is kept beside it (`queue-dispatcher`).
   */
  async queue() {
    const gate = await gateWithDeadlines([]);
    const admin = await asAdmin();
    await http('PUT', `/v1/admin/gates/${gate}`, {
      token: admin,
      body: { yards: [{ code: 'Y1', capacity: 1 }], queue: { arriveWithin: 'PT3S', noShowRequeues: 2 } },
    });
    const staff = await staffOf(gate);
    const company = await account('DECLARANT', [gate]);
    const vehicle = { plate: '29B-135.79', trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 };
    const c = await declare(company, { gate, vehicle });
    // Missed its first call (3 s), called again: then it comes.
    const history = async () =>
      (await http('GET', `/v1/crossings/${c.id}/history`, { token: company.token })).body.items as { type: string }[];
    for (let deadline = Date.now() + 30_000; (await history()).filter((e) => e.type === 'QUEUE_CALLED').length < 2;) {
      if (Date.now() > deadline) throw new Error('the queue did not call the truck twice');
      await new Promise((r) => setTimeout(r, 200));
    }
    const code = `REPLAY-${randomUUID().slice(0, 8).toUpperCase()}`;
    const secret = (await http('POST', '/v1/admin/devices', { token: admin, body: { code, gate, point: 'YARD_ENTRY', kind: 'CAMERA' } }))
      .body.secret as string;
    const body = JSON.stringify({ eventId: randomUUID(), plate: vehicle.plate, at: new Date().toISOString(), confidence: 0.95 });
    await http('POST', '/v1/gate-events', {
      body,
      headers: { 'content-type': 'application/json', 'X-Device': code, 'X-Signature': signDeviceRequest(secret, body) },
    });
    await waitFor(company.token, c.id, (v) => v.queue?.status === 'ARRIVED');
    await approve(staff, c.id, ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit']);
    running.push({ name: 'queue-dispatcher', workflowId: `queue-dispatcher-${gate}-EXPORT` });
    return c.id;
  },
  /**
   * Tracking: the driver's phone posts positions on the approach to Hữu Nghị (the first in the corridor is the one
   * `APPROACHING` line; the rest never reach the workflow), then the truck is cleared.
   */
  async tracking() {
    const staff = await staffOf('HUU_NGHI');
    const company = await account('DECLARANT', ['HUU_NGHI']);
    const vehicle = { plate: '29B-975.31', trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 };
    const c = await declare(company, { vehicle });
    const token = (await http('POST', `/v1/crossings/${c.id}/driver-link`, { token: company.token })).body.token as string;
    for (const [lat, lon] of [
      [21.86, 106.76],
      [21.889, 106.737],
      [21.924, 106.714],
      [21.958, 106.703],
    ]) {
      const positions = [{ at: new Date().toISOString(), lat, lon, speedKmh: 35 }];
      await http('POST', `/v1/crossings/${c.id}/positions`, { token, body: { positions }, headers: { 'Idempotency-Key': randomUUID() } });
    }
    const history = async () =>
      (await http('GET', `/v1/crossings/${c.id}/history`, { token: company.token })).body.items as { type: string }[];
    for (let deadline = Date.now() + 30_000; !(await history()).some((e) => e.type === 'APPROACHING');) {
      if (Date.now() > deadline) throw new Error('the crossing did not record APPROACHING');
      await new Promise((r) => setTimeout(r, 200));
    }
    await approve(staff, c.id, ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit']);
    return c.id;
  },
  /**
   * Events out: a company's receiver answers its first request 500, then takes every event of a crossing that is
   * cleared. The subscription's delivery workflow (a failed attempt, its retry, the wakes) is kept beside it
   * (`webhook-delivery`) once the receiver has every event.
   */
  async webhooks() {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const hook = await TestReceiver.start();
    hook.failNext(500);
    const events = ['crossing.declared', 'crossing.step_waiting', 'crossing.decided', 'crossing.ended'];
    const subscription = (await http('POST', '/v1/webhooks', { token: company.token, body: { url: hook.url, events } })).body.id as string;
    const c = await declare(company, { vehicle: { plate: '29B-864.20', trailerPlate: '12R-012.34', country: 'VN', grossWeightKg: 32000 } });
    await approve(staff, c.id, ['health-check', 'border-entry', 'customs-inspection', 'fee-payment', 'border-exit']);
    await hook.waitFor(() => hook.unique().some((r) => r.body.event === 'crossing.ended'));
    await hook.close();
    running.push({ name: 'webhook-delivery', workflowId: webhookDeliveryIdOf(subscription) });
    return c.id;
  },
};

/** Workflows that run for good (a gate's dispatcher, a subscription's deliveries), captured as they stand once the path that started them is done. */
const running: { name: string; workflowId: string }[] = [];

/** `npm run replay:capture -- --only <path>` captures one path. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

async function main(): Promise<void> {
  const dataDir = path.join(ROOT, '.data', 'replay-capture');
  fs.rmSync(dataDir, { recursive: true, force: true });
  const { system, process: launcher } = await launchSystem({ dataDir, env: { PAYLOAD_KEYS: REPLAY_PAYLOAD_KEYS } });
  fs.writeFileSync(path.join(dataDir, 'system.json'), JSON.stringify(system));
  process.env.TEST_SYSTEM_FILE = path.join(dataDir, 'system.json');
  const connection = await Connection.connect({ address: system.temporalAddress });
  const client = new Client({ connection, dataConverter: { payloadCodecs: [EncryptionCodec.parse(REPLAY_PAYLOAD_KEYS)] } });
  try {
    fs.mkdirSync(OUT, { recursive: true });
    for (const [name, drive] of Object.entries(paths)) {
      if (only && only !== name) continue;
      // A set is never rewritten: a history already kept stays as it was captured.
      if (fs.existsSync(path.join(OUT, `${name}.binpb`))) {
        process.stdout.write(`kept ${name} (already in ${path.basename(OUT)})\n`);
        continue;
      }
      const id = await drive();
      const handle = client.workflow.getHandle(`crossing-${id}`);
      await handle.result();
      // Protobuf binary, exactly as Temporal keeps it.
      fs.writeFileSync(path.join(OUT, `${name}.binpb`), temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish());
      process.stdout.write(`captured ${name}\n`);
      for (const { name: also, workflowId } of running.splice(0)) {
        const file = path.join(OUT, `${also}.binpb`);
        if (fs.existsSync(file)) continue;
        fs.writeFileSync(file, temporal.api.history.v1.History.encode(await client.workflow.getHandle(workflowId).fetchHistory()).finish());
        process.stdout.write(`captured ${also}\n`);
      }
    }
  } finally {
    await connection.close();
    await db().end();
    await stopProcess(launcher);
  }
}

main().catch((err) => {
  process.stderr.write(`${(err as Error).stack}\n`);
  process.exit(1);
});
