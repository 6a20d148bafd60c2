import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { webhookEventOf } from '../domain/webhooks';
import { signBody } from '../infra/body-signature';
import { ROOT } from '../infra/launch-system';
import { freePort } from '../infra/ports';
import { refusedTarget, WebhookPoster } from '../infra/webhook-post';
import { account, asAdmin, declaration, http, httpRetrying } from './system/client';
import { approve, declare, RUBBER, staffOf } from './system/crossing-flow';
import { kill, startApi, startWorker } from './system/processes';
import { gateWithDeadlines } from './system/test-gate';
import { TestReceiver, type Received } from './system/webhook-receiver';

/**
 * Events out, against the real system and a real receiver on 127.0.0.1. The system under test runs with a retry
 * window of 8 s and attempts capped at 1.5 s (test/system/global-setup.ts), so that a failed event is FAILED within
 * a test.
 */
jest.setTimeout(120_000);

const receivers: TestReceiver[] = [];
afterAll(async () => {
  await Promise.all(receivers.map((r) => r.close().catch(() => undefined)));
});
async function receiver(): Promise<TestReceiver> {
  const r = await TestReceiver.start();
  receivers.push(r);
  return r;
}

async function subscribe(token: string, body: Record<string, unknown>) {
  const res = await http('POST', '/v1/webhooks', { token, body });
  if (res.status !== 201) throw new Error(`subscribing failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; secret: string };
}

const ALL_CROSSING_EVENTS = ['crossing.declared', 'crossing.step_waiting', 'crossing.decided', 'crossing.returned', 'crossing.ended'];

/** The events a crossing's history says were sent, in order: what a subscriber to all crossing events must receive. */
async function expectedEvents(token: string, crossingId: string, baseUrl?: string): Promise<string[]> {
  const history = await http('GET', `/v1/crossings/${crossingId}/history`, { token, baseUrl });
  return (history.body.items as { seq: number; type: string }[])
    .sort((a, b) => a.seq - b.seq)
    .flatMap((line) => {
      const event = webhookEventOf(line);
      return event && ALL_CROSSING_EVENTS.includes(event) ? [event] : [];
    });
}

const eventsOf = (received: Received[], crossingId: string) =>
  received.filter((r) => r.body.crossingId === crossingId).map((r) => r.body.event);

async function deliveries(token: string, subscriptionId: string, query = '') {
  const res = await http('GET', `/v1/webhooks/${subscriptionId}/deliveries${query}`, { token });
  expect(res.status).toBe(200);
  return res.body as { eventId: string; event: string; status: string; attempts: number; attemptLog: unknown[] }[];
}

describe('webhooks', () => {
  it("a company's receiver that fails its first attempts and is down for a while gets every event of its crossings once, in order, signed, and none of another company's", async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const otherCompany = await account('DECLARANT');
    const hook = await receiver();
    const { id, secret } = await subscribe(company.token, { url: hook.url, events: ALL_CROSSING_EVENTS });

    hook.failNext(500, 503);
    const first = await declare(company);
    const second = await declare(company, { vehicle: { plate: '12C-555.66', country: 'VN', grossWeightKg: 30000 } });
    const foreign = await declare(otherCompany);
    await hook.waitFor((r) => r.length >= 2);
    await hook.downFor(2500);
    await approve(staff, first.id, ['health-check', 'border-entry']);
    await approve(staff, second.id, ['health-check']);
    await approve(staff, foreign.id, ['health-check']);

    const want = { [first.id]: await expectedEvents(company.token, first.id), [second.id]: await expectedEvents(company.token, second.id) };
    expect(want[first.id]).toEqual([
      'crossing.declared',
      'crossing.step_waiting',
      'crossing.decided',
      'crossing.step_waiting',
      'crossing.decided',
      'crossing.step_waiting',
    ]);
    await hook.waitFor(() => {
      const unique = hook.unique();
      return eventsOf(unique, first.id).length >= want[first.id]!.length && eventsOf(unique, second.id).length >= want[second.id]!.length;
    });
    const unique = hook.unique();
    // In order per crossing, each once after de-duplication, and nothing more.
    expect(eventsOf(unique, first.id)).toEqual(want[first.id]);
    expect(eventsOf(unique, second.id)).toEqual(want[second.id]);
    expect(unique.every((r) => r.body.crossingId === first.id || r.body.crossingId === second.id)).toBe(true);
    expect(hook.requests.some((r) => JSON.stringify(r.body).includes(foreign.id))).toBe(false);
    // Every copy is signed with the subscription's secret, and names its event in the header as in the body.
    expect(hook.signedWith(secret)).toBe(true);
    expect(hook.requests.every((r) => r.eventId === r.body.eventId)).toBe(true);
    // The declarant sees its own crossing whole.
    expect(unique[0]!.body.data.declaration.driver.fullName).toBe('Nguyen Van A');

    const log = await deliveries(company.token, id);
    expect(log.every((d) => d.status === 'DELIVERED')).toBe(true);
    // The first two attempts were answered 500 and 503: the log shows them.
    expect(log.some((d) => d.attempts > 1 && d.attemptLog.length === d.attempts)).toBe(true);
  });

  it("a declarant's subscription hears only of the gates its account serves, as the API shows it", async () => {
    const here = await account('DECLARANT', ['HUU_NGHI']);
    const colleague = await account('DECLARANT', ['KIM_THANH'], { companyTaxCode: here.companyTaxCode });
    const hook = await receiver();
    await subscribe(here.token, { url: hook.url, events: ['crossing.declared'] });
    const refused = await http('POST', '/v1/webhooks', {
      token: here.token,
      body: { url: hook.url, events: ['crossing.declared'], gates: ['KIM_THANH'] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([{ path: 'gates.0', message: 'is not a gate the account serves' }]);
    const elsewhere = await declare(colleague, { gate: 'KIM_THANH' });
    const mine = await declare(here);
    await hook.waitFor((r) => r.some((x) => x.body.crossingId === mine.id));
    expect((await http('GET', `/v1/crossings/${elsewhere.id}`, { token: here.token })).status).toBe(404);
    expect(hook.requests.some((x) => x.body.crossingId === elsewhere.id)).toBe(false);
  });

  it("a partner authority's subscription carries status only, and an agency's what its role may see", async () => {
    const admin = await asAdmin();
    const company = await account('DECLARANT');
    const partner = await account('PARTNER');
    const customs = await account('CUSTOMS_OFFICER');
    const partnerHook = await receiver();
    const customsHook = await receiver();
    await http('POST', '/v1/webhooks', {
      token: admin,
      body: { url: partnerHook.url, events: ['crossing.declared'], accountId: partner.id },
    }).then((r) => expect(r.status).toBe(201));
    await http('POST', '/v1/webhooks', {
      token: admin,
      body: { url: customsHook.url, events: ['crossing.declared'], gates: ['HUU_NGHI'], accountId: customs.id },
    }).then((r) => expect(r.status).toBe(201));

    const crossing = await declare(company);
    await partnerHook.waitFor((r) => r.some((x) => x.body.crossingId === crossing.id));
    await customsHook.waitFor((r) => r.some((x) => x.body.crossingId === crossing.id));
    const seen = partnerHook.requests.find((x) => x.body.crossingId === crossing.id)!;
    expect(Object.keys(seen.body).sort()).toEqual(['at', 'crossingId', 'data', 'event', 'eventId', 'gate']);
    expect(Object.keys(seen.body.data).sort()).toEqual([
      'createdAt',
      'currentStep',
      'direction',
      'gate',
      'id',
      'plate',
      'status',
      'steps',
      'updatedAt',
    ]);
    expect(seen.body.data).toMatchObject({ gate: 'HUU_NGHI', plate: '12C-123.45', direction: 'EXPORT', status: 'IN_PROGRESS' });
    for (const step of seen.body.data.steps) expect(Object.keys(step).sort()).toEqual(['decidedAt', 'startedAt', 'status', 'step']);
    // No goods, company, driver or papers anywhere in what was sent.
    for (const secretWord of [
      'dragon',
      'rubber',
      'Nguyen',
      '001090012345',
      '+84912345678',
      company.companyTaxCode!,
      'MSCU1234566',
      '305123456789',
    ]) {
      expect(seen.raw.toLowerCase()).not.toContain(secretWord.toLowerCase());
    }
    // Customs sees the goods and containers, not the driver.
    const customsSeen = customsHook.requests.find((x) => x.body.crossingId === crossing.id)!;
    expect(customsSeen.body.data.declaration.goods[0].hsCode).toBe('40012200');
    expect(customsSeen.body.data.declaration.driver).toBeUndefined();
    // A partner authority's system reads no crossing through the API.
    expect((await http('GET', `/v1/crossings/${crossing.id}`, { token: partner.token })).status).toBe(403);
    expect((await http('GET', '/v1/crossings', { token: partner.token })).status).toBe(403);
    // It sees its own subscription and its log, and may not make one.
    const mine = await http('GET', '/v1/webhooks', { token: partner.token });
    expect(mine.body).toHaveLength(1);
    expect(mine.body[0]).not.toHaveProperty('secret');
    expect(
      (await http('POST', '/v1/webhooks', { token: partner.token, body: { url: partnerHook.url, events: ['crossing.declared'] } })).status,
    ).toBe(403);
  });

  it('a dead subscriber holds up neither decisions nor another subscriber, and its events fail after the window and can be retried by hand', async () => {
    const staff = await staffOf();
    const company = await account('DECLARANT');
    const dead = await receiver();
    dead.answer = () => 'hang';
    const alive = await receiver();
    const deadSub = await subscribe(company.token, { url: dead.url, events: ALL_CROSSING_EVENTS });
    await subscribe(company.token, { url: alive.url, events: ALL_CROSSING_EVENTS });

    const crossing = await declare(company);
    await approve(staff, crossing.id, ['health-check', 'border-entry']);
    const want = await expectedEvents(company.token, crossing.id);
    await alive.waitFor(() => eventsOf(alive.unique(), crossing.id).length >= want.length);
    expect(eventsOf(alive.unique(), crossing.id)).toEqual(want);
    // The dead receiver has been sent only the crossing's first event: the later ones wait behind it.
    expect(new Set(dead.requests.map((r) => r.body.event))).toEqual(new Set(['crossing.declared']));

    // After the window (8 s here) the first is FAILED and the crossing's later events go on.
    const declaredEvent = dead.requests[0]!.eventId;
    await dead.waitFor((r) => r.some((x) => x.body.event !== 'crossing.declared'), 60_000);
    const failed = (await deliveries(company.token, deadSub.id)).find((d) => d.eventId === declaredEvent)!;
    expect(failed).toMatchObject({ status: 'FAILED', event: 'crossing.declared' });
    expect(failed.attempts).toBeGreaterThan(1);
    expect(failed.attemptLog.every((a: any) => a.statusCode === null && /no answer within/.test(a.error))).toBe(true);

    // The receiver comes back; a retry by hand delivers the failed event once more.
    dead.answer = () => 200;
    const retried = await http('POST', `/v1/webhooks/${deadSub.id}/deliveries/${declaredEvent}/retry`, { token: company.token });
    expect(retried.status).toBe(200);
    expect(retried.body.status).toBe('PENDING');
    await waitUntil(
      async () => (await deliveries(company.token, deadSub.id)).find((d) => d.eventId === declaredEvent)!.status === 'DELIVERED',
    );
    // A delivered event is not retried; an unknown one is not there; another company does not see the subscription.
    expect((await http('POST', `/v1/webhooks/${deadSub.id}/deliveries/${declaredEvent}/retry`, { token: company.token })).status).toBe(409);
    expect((await http('POST', `/v1/webhooks/${deadSub.id}/deliveries/${randomUUID()}/retry`, { token: company.token })).status).toBe(404);
    const stranger = await account('DECLARANT');
    expect((await http('GET', `/v1/webhooks/${deadSub.id}/deliveries`, { token: stranger.token })).status).toBe(404);
    expect((await http('DELETE', `/v1/webhooks/${deadSub.id}`, { token: stranger.token })).status).toBe(404);
  });

  it('a worker killed in the middle of a delivery loses nothing', async () => {
    const taskQueue = `webhooks-kill-${randomUUID().slice(0, 8)}`;
    const api = await startApi(taskQueue);
    let worker = startWorker(taskQueue);
    try {
      const company = await account('DECLARANT');
      const login = await http('POST', '/v1/auth/login', {
        baseUrl: api.url,
        body: { username: company.username, password: company.password },
      });
      const token = login.body.token as string;
      const hook = await receiver();
      // The first request is held unanswered; the worker is killed while it is.
      let held = 0;
      hook.answer = () => (held++ === 0 ? 'hang' : 204);
      await subscribe(company.token, { url: hook.url, events: ['crossing.declared', 'crossing.step_waiting'] });
      // Retried while the new worker is not yet ready (503, as API.md tells clients).
      const crossing = await httpRetrying('POST', '/v1/crossings', {
        baseUrl: api.url,
        token,
        body: declarationAt('HUU_NGHI'),
        key: randomUUID(),
      });
      expect(crossing.status).toBe(201);
      await hook.waitFor((r) => r.length >= 1);
      await kill(worker);
      worker = startWorker(taskQueue);
      await hook.waitFor(() => eventsOf(hook.unique(), crossing.body.id).length >= 2, 90_000);
      expect(eventsOf(hook.unique(), crossing.body.id)).toEqual(['crossing.declared', 'crossing.step_waiting']);
      // The held copy was sent again: at least once, and de-duplicated by its id.
      expect(hook.requests.filter((r) => r.body.event === 'crossing.declared').length).toBeGreaterThanOrEqual(2);
    } finally {
      await kill(worker);
      await kill(api.process);
    }
  });

  it('the example receiver verifies, stores and de-duplicates what it is sent', async () => {
    const company = await account('DECLARANT');
    const file = path.join(os.tmpdir(), `webhook-example-${randomUUID()}.jsonl`);
    // Subscribed first to a port nothing listens on, to learn the secret; the receiver then takes that port.
    const port = await freePort();
    const { secret } = await subscribe(company.token, { url: `http://127.0.0.1:${port}/hooks`, events: ['crossing.declared'] });
    const example = spawn(process.execPath, ['--import', 'tsx', 'examples/webhook-receiver/server.ts', String(port), file], {
      cwd: ROOT,
      env: { ...process.env, WEBHOOK_SECRET: secret },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      await new Promise<void>((resolve) => example.stdout!.on('data', (d: Buffer) => d.toString().includes('listening') && resolve()));
      const crossing = await declare(company);
      await waitUntil(async () => fs.existsSync(file) && fs.readFileSync(file, 'utf8').includes(crossing.id));
      // A forged copy is refused, a repeat is taken (200) and stored once.
      const stored = fs.readFileSync(file, 'utf8').trim();
      const forged = await fetch(`http://127.0.0.1:${port}/hooks`, {
        method: 'POST',
        body: stored,
        headers: { 'X-Signature': 'sha256=00' },
      });
      expect(forged.status).toBe(401);
      const repeat = await fetch(`http://127.0.0.1:${port}/hooks`, {
        method: 'POST',
        body: stored,
        headers: { 'X-Signature': signBody(secret, stored) },
      });
      expect(repeat.status).toBe(200);
      expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(1);
      expect(JSON.parse(stored)).toMatchObject({ event: 'crossing.declared', crossingId: crossing.id });
    } finally {
      await kill(example);
      fs.rmSync(file, { force: true });
    }
  });

  it("a gate's closure and reopening reach the agencies there and the declarants with trucks there", async () => {
    const gate = await gateWithDeadlines([]);
    const manager = await account('MANAGER', [gate]);
    const guard = await account('BORDER_GUARD', [gate]);
    const company = await account('DECLARANT', [gate]);
    const idle = await account('DECLARANT', [gate]);
    const guardHook = await receiver();
    const companyHook = await receiver();
    const idleHook = await receiver();
    const admin = await asAdmin();
    const events = ['gate.closed', 'gate.reopened'];
    await http('POST', '/v1/webhooks', { token: admin, body: { url: guardHook.url, events, accountId: guard.id } }).then((r) =>
      expect(r.status).toBe(201),
    );
    await subscribe(company.token, { url: companyHook.url, events });
    await subscribe(idle.token, { url: idleHook.url, events });
    await declare(company, { gate });

    expect((await http('POST', `/v1/gates/${gate}/closure`, { token: manager.token, body: { reason: 'Typhoon' } })).status).toBe(200);
    expect((await http('DELETE', `/v1/gates/${gate}/closure`, { token: manager.token })).status).toBe(200);
    for (const hook of [guardHook, companyHook]) {
      await hook.waitFor(() => hook.unique().length >= 2);
      expect(hook.unique().map((r) => r.body.event)).toEqual(['gate.closed', 'gate.reopened']);
      expect(hook.unique()[0]!.body).toMatchObject({ gate, data: { gate, open: false, closure: { reason: 'Typhoon' } } });
    }
    // A company with no truck at the gate, naming no gate, is not told.
    expect(idleHook.requests).toHaveLength(0);
  });

  it('a truck called forward at a queue gate is a queue.called event for its company', async () => {
    const gate = await gateWithDeadlines([]);
    const admin = await asAdmin();
    expect(
      (
        await http('PUT', `/v1/admin/gates/${gate}`, {
          token: admin,
          body: { yards: [{ code: 'Y1', capacity: 5 }], queue: { arriveWithin: 'PT1H' } },
        })
      ).status,
    ).toBe(200);
    const company = await account('DECLARANT', [gate]);
    const hook = await receiver();
    await subscribe(company.token, { url: hook.url, events: ['queue.called'] });
    const crossing = await declare(company, { gate });
    await hook.waitFor((r) => r.some((x) => x.body.crossingId === crossing.id));
    const called = hook.requests.find((x) => x.body.crossingId === crossing.id)!;
    expect(called.body).toMatchObject({ event: 'queue.called', gate, data: { id: crossing.id, queue: { status: 'CALLED' } } });
  });

  it('refuses a bad subscription with every field at fault, and one nobody may make', async () => {
    const admin = await asAdmin();
    const company = await account('DECLARANT');
    const declarantAsTarget = await account('DECLARANT');
    const manager = await account('MANAGER');
    const bad = await http('POST', '/v1/webhooks', {
      token: company.token,
      body: { url: 'not a url', events: ['crossing.flew'], gates: ['no such gate'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['events.0', 'gates.0', 'url']);
    const noOwner = await http('POST', '/v1/webhooks', {
      token: admin,
      body: { url: 'ftp://example.com/x', events: ['crossing.declared'], gates: ['NOWHERE'] },
    });
    expect(noOwner.status).toBe(400);
    expect(noOwner.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['accountId', 'gates.0', 'url']);
    for (const accountId of [declarantAsTarget.id, manager.id, randomUUID()]) {
      const refused = await http('POST', '/v1/webhooks', {
        token: admin,
        body: { url: 'http://127.0.0.1:9/x', events: ['crossing.declared'], accountId },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].path).toBe('accountId');
    }
    const guard = await account('BORDER_GUARD', ['HUU_NGHI']);
    const elsewhere = await http('POST', '/v1/webhooks', {
      token: admin,
      body: { url: 'http://127.0.0.1:9/x', events: ['crossing.declared'], gates: ['KIM_THANH'], accountId: guard.id },
    });
    expect(elsewhere.status).toBe(400);
    expect(elsewhere.body.errors).toEqual([{ path: 'gates.0', message: 'is not a gate the account serves' }]);
    const forSelf = await http('POST', '/v1/webhooks', {
      token: company.token,
      body: { url: 'http://127.0.0.1:9/x', events: ['crossing.declared'], accountId: manager.id },
    });
    expect(forSelf.status).toBe(400);
    // Nothing was made by any of these.
    expect((await http('GET', '/v1/webhooks', { token: company.token })).body).toEqual([]);
    expect((await http('GET', `/v1/webhooks?accountId=${manager.id}`, { token: admin })).body).toEqual([]);
    // Deleting stops it: it is gone from the owner's list.
    const made = await subscribe(company.token, { url: 'http://127.0.0.1:9/x', events: ['crossing.declared'] });
    expect((await http('DELETE', `/v1/webhooks/${made.id}`, { token: company.token })).status).toBe(200);
    expect((await http('GET', '/v1/webhooks', { token: company.token })).body).toEqual([]);
    expect((await http('GET', `/v1/webhooks/${made.id}/deliveries`, { token: company.token })).status).toBe(404);
  });

  it('in production, posts only to public addresses: the address connected to is checked, not only the name', async () => {
    const production = { httpsOnly: true, allowPrivate: false, allowAddresses: [] };
    expect(refusedTarget(new URL('http://partner.example/hooks'), production)).toBe('must be an https URL');
    expect(refusedTarget(new URL('https://10.1.2.3/hooks'), production)).toMatch(/private/);
    expect(refusedTarget(new URL('https://[::1]/hooks'), production)).toMatch(/private/);
    expect(refusedTarget(new URL('https://169.254.169.254/latest'), production)).toMatch(/private/);
    expect(refusedTarget(new URL('https://localhost/hooks'), production)).toMatch(/this machine/);
    expect(refusedTarget(new URL('https://10.1.2.3/hooks'), { ...production, allowAddresses: ['10.1.2.3'] })).toBeUndefined();
    expect(refusedTarget(new URL('https://partner.example/hooks'), production)).toBeUndefined();

    // A real receiver on loopback, reached by a name (localhost, which resolves to 127.0.0.1): the poster does not judge
    // names, its agent judges the address the name resolves to as it connects: refused, and the receiver sees nothing.
    const hook = await receiver();
    const port = new URL(hook.url).port;
    const poster = new WebhookPoster({ httpsOnly: false, allowPrivate: false, allowAddresses: [] }, 2000).session();
    try {
      const outcome = await poster.post(`http://localhost:${port}/hooks`, '{}', {});
      expect(outcome.statusCode).toBeNull();
      expect(outcome.error).toMatch(/refused: the address it resolves to is private/);
      expect(hook.requests).toHaveLength(0);
      // Allowed, the same receiver answers.
      const open = new WebhookPoster({ httpsOnly: false, allowPrivate: true, allowAddresses: [] }, 2000).session();
      expect((await open.post(hook.url, '{}', { 'X-Event-Id': 'x' })).statusCode).toBe(204);
      open.close();
      // Or allowed by address, in production as well: the operator lists the receiver's address.
      const listed = new WebhookPoster({ httpsOnly: false, allowPrivate: false, allowAddresses: ['127.0.0.1'] }, 2000).session();
      expect((await listed.post(hook.url, '{}', { 'X-Event-Id': 'y' })).statusCode).toBe(204);
      listed.close();
    } finally {
      poster.close();
    }
  });
});

const declarationAt = (gate: string) => declaration({ gate, goods: [RUBBER] });

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('the awaited state never came');
    await new Promise((r) => setTimeout(r, 300));
  }
}
