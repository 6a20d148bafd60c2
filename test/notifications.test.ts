import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { driverMessage, type NotificationDraft, type NotificationEvent } from '../domain/notifications';
import { initORM, migrate, sqlOf, type Services } from '../infra/db/orm';
import { enqueueNotifications, NotificationStore } from '../infra/db/stores/notifications';
import { createLogger } from '../infra/logger';
import { HttpSmsProvider } from '../infra/sms';
import { NotificationSender } from '../worker/notification-sender';
import { account, asAdmin, db, http, system } from './system/client';

/**
 * SMS to drivers (API.md "The virtual queue"): messages written to the outbox table are sent by the worker, at least
 * once, in the driver's language; a provider outage delays them and loses none; a message sent again carries the same
 * id, so the provider keeps it once.
 */

/** A phone no other test writes to: +849 and eight random digits. */
const phone = () => `+849${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;

/** A driver's message about a truck at Hữu Nghị, as the queue drafts it. */
function draft(event: NotificationEvent, to: string, nationality: string): NotificationDraft {
  const facts = {
    gate: 'HUU_NGHI',
    gateName: 'Cửa khẩu quốc tế Hữu Nghị',
    plate: '12C-987.65',
    arriveBy: new Date(Date.now() + 30 * 60_000).toISOString(),
    requeued: true,
  };
  return driverMessage(event, facts, { phone: to, nationality }, { messageId: `test:${event}:${randomUUID()}`, crossingId: null })!;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the development outbox', () => {
  let services: Services;
  beforeAll(async () => {
    services = await initORM(system().databaseUrl, { poolMax: 2 });
  });
  afterAll(async () => {
    await services.orm.close();
  });

  const outbox = (to: string, token: string) => http('GET', `/dev/notifications?phone=${encodeURIComponent(to)}`, { token });

  /** The outbox of a phone once the running worker has sent `count` messages to it. */
  async function sentTo(to: string, count: number, token: string) {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await outbox(to, token);
      const messages = res.body.messages ?? [];
      if (messages.length === count && messages.every((m: { sentAt: string | null }) => m.sentAt)) return messages;
      if (Date.now() > deadline) throw new Error(`the worker did not send ${count} messages: ${JSON.stringify(res.body)}`);
      await sleep(200);
    }
  }

  it('shows an admin what the worker sent, newest first, each in its driver’s language', async () => {
    const admin = await asAdmin();
    const [vietnamese, chinese] = [phone(), phone()];
    const called = draft('CALLED', vietnamese, 'VN');
    const calledChinese = draft('CALLED', chinese, 'CN');
    await enqueueNotifications(sqlOf(services.em.fork()), [called, calledChinese]);
    // Later, in a transaction of its own: the no-show, and the call again (a retried transaction), which is kept once.
    const noShow = draft('NO_SHOW', vietnamese, 'VN');
    await enqueueNotifications(sqlOf(services.em.fork()), [noShow, called]);

    const toVietnamese = await sentTo(vietnamese, 2, admin);
    expect(toVietnamese.map((m: any) => [m.messageId, m.event, m.language])).toEqual([
      [noShow.messageId, 'NO_SHOW', 'vi'],
      [called.messageId, 'CALLED', 'vi'],
    ]);
    expect(toVietnamese[1]).toEqual({
      messageId: called.messageId,
      crossingId: null,
      gate: 'HUU_NGHI',
      event: 'CALLED',
      phone: vietnamese,
      language: 'vi',
      body: called.body,
      createdAt: expect.any(String),
      sentAt: expect.any(String),
      attempts: 1,
    });
    expect(toVietnamese[1].body).toMatch(
      /^Cửa khẩu quốc tế Hữu Nghị: đã đến lượt xe 12C-987\.65\. Vui lòng đưa xe đến cổng trước .* UTC\+7\.$/,
    );
    expect(Date.parse(toVietnamese[0].createdAt)).toBeGreaterThanOrEqual(Date.parse(toVietnamese[1].createdAt));

    const [toChinese] = await sentTo(chinese, 1, admin);
    expect(toChinese).toMatchObject({ messageId: calledChinese.messageId, language: 'zh' });
    expect(toChinese.body).toMatch(/^【Cửa khẩu quốc tế Hữu Nghị】已轮到车辆12C-987\.65，请于.* UTC\+7前到达闸口。$/);

    // The development outbox is the adapter that "sent" them: nothing left the machine.
    const rows = await db().query('select provider from notification where phone = any($1)', [[vietnamese, chinese]]);
    expect(rows.rows.map((r) => r.provider)).toEqual(['outbox', 'outbox', 'outbox']);
    // A + written unencoded arrives as a space, and is read as the + it was.
    expect((await http('GET', `/dev/notifications?phone=${chinese}`, { token: admin })).body.messages).toHaveLength(1);
  });

  it('is the admin’s only, and refuses a bad phone or limit naming it', async () => {
    const admin = await asAdmin();
    const to = phone();
    for (const role of ['MANAGER', 'DECLARANT', 'BORDER_GUARD'] as const) {
      expect([role, (await outbox(to, (await account(role)).token)).status]).toEqual([role, 403]);
    }
    expect((await http('GET', '/dev/notifications')).status).toBe(401);
    const badPhone = await http('GET', '/dev/notifications?phone=0912-345', { token: admin });
    expect([badPhone.status, badPhone.body.errors.map((e: { path: string }) => e.path)]).toEqual([400, ['query.phone']]);
    const badLimit = await http('GET', '/dev/notifications?limit=0', { token: admin });
    expect([badLimit.status, badLimit.body.errors.map((e: { path: string }) => e.path)]).toEqual([400, ['query.limit']]);
    const some = await http('GET', '/dev/notifications?limit=2', { token: admin });
    expect([some.status, some.body.messages.length <= 2]).toEqual([200, true]);
  });

  it('leaves in the worker’s logs the message id and event of each message, never its phone or text', async () => {
    const admin = await asAdmin();
    const to = phone();
    const cleared = draft('CLEARED', to, 'VN');
    await enqueueNotifications(sqlOf(services.em.fork()), [cleared]);
    await sentTo(to, 1, admin);
    const deadline = Date.now() + 5000;
    let logs = '';
    while (!logs.includes(cleared.messageId) && Date.now() < deadline) {
      await sleep(100);
      logs = fs.readFileSync(system().logFile, 'utf8');
    }
    const line = logs.split('\n').find((l) => l.includes(cleared.messageId));
    expect(JSON.parse(line!)).toMatchObject({ msg: 'SMS sent', messageId: cleared.messageId, event: 'CLEARED', provider: 'outbox' });
    expect(logs).not.toContain(to);
    expect(logs).not.toContain(to.slice(1));
    expect(logs).not.toContain(cleared.body);
    expect(logs).not.toContain('12C-987.65');
    expect(logs).toContain('SMS: development outbox; set SMS_PROVIDER_URL to send through a provider');
  });
});

/**
 * A provider on this machine, answering as the script says for its n-th request (from 1): `down` is a 503;
 * `hang` takes the message and never answers; `drop` takes it and cuts the connection; `ok` takes it and says so.
 * It records every request, and keeps each message once by its id, as a real provider de-duplicates.
 */
async function smsProvider(script: (n: number) => 'down' | 'hang' | 'drop' | 'ok') {
  const requests: { messageId: string; to: string; language: string; text: string; key: unknown; authorization: unknown; how: string }[] =
    [];
  const kept: string[] = [];
  const server: Server = createServer((req, res) => {
    let raw = '';
    req.on('data', (chunk) => (raw += chunk));
    req.on('end', () => {
      const body = JSON.parse(raw);
      const how = script(requests.length + 1);
      requests.push({ ...body, key: req.headers['idempotency-key'], authorization: req.headers.authorization, how });
      if (how === 'down') return void res.writeHead(503).end();
      if (!kept.includes(body.messageId)) kept.push(body.messageId);
      if (how === 'drop') return void req.socket.destroy();
      if (how === 'ok') res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"QUEUED"}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/messages`,
    requests,
    kept,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

/*
 * Why a database of its own: the running system's worker sends every due message of the test database through its
 * development outbox, every 500 ms, and would take this test's messages before the provider below saw them. So the
 * sender under test runs here, in the test process, over a fresh database on the same PostgreSQL server, migrated as
 * the launcher migrates, which no other sender reads. It is the same code the worker runs, with the HTTP adapter.
 */
describe('a provider outage', () => {
  const name = `notify_outage_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  let services: Services;

  beforeAll(async () => {
    await db().query(`create database ${name}`);
    const url = new URL(system().databaseUrl);
    url.pathname = `/${name}`;
    services = await initORM(url.toString(), { poolMax: 4 });
    await migrate(services);
  }, 60_000);
  afterAll(async () => {
    await services?.orm.close();
    await db().query(`drop database if exists ${name} with (force)`);
  });

  const rows = async (ids: string[]) =>
    (
      await services.em
        .fork()
        .getConnection()
        .execute(
          `select message_id, attempts, last_error, sent_at, provider, next_attempt_at > now() as waiting
             from notification where message_id in (${ids.map(() => '?').join(', ')})`,
          ids,
        )
    )
      .map((r: any) => ({ ...r, attempts: Number(r.attempts) }))
      .sort((x, y) => (x.message_id < y.message_id ? -1 : 1));

  it('delays messages and loses none; one whose answer was lost is sent again under the same id, and kept once', async () => {
    // Down for the first four requests, then one answer that never comes and one connection cut, then up.
    const provider = await smsProvider((n) => (n <= 4 ? 'down' : n === 5 ? 'hang' : n === 6 ? 'drop' : 'ok'));
    const sms = new HttpSmsProvider({ url: provider.url, token: 'provider-token', timeoutMs: 1000 });
    const sender = new NotificationSender(new NotificationStore(services.em.fork()), sms, createLogger('sms-test', 'silent'));
    const [first, second, third] = [phone(), phone(), phone()];
    const messages = [draft('CALLED', first, 'VN'), draft('CALLED', second, 'CN'), draft('CALLED', third, 'VN')];
    await enqueueNotifications(sqlOf(services.em.fork()), messages);
    // The first driver's next message, written later: it waits behind the first, so the driver reads them in order.
    const later = draft('NO_SHOW', first, 'VN');
    await enqueueNotifications(sqlOf(services.em.fork()), [later]);
    const ids = [...messages, later].map((m) => m.messageId);
    try {
      expect(await sender.sendDue()).toEqual({ claimed: 3, sent: 0, failed: 3 });
      // Still there, to be tried again after a backoff, with a reason that names no phone and quotes no text.
      for (const row of await rows(messages.map((m) => m.messageId))) {
        expect(row).toMatchObject({ attempts: 1, last_error: 'the SMS provider answered 503', sent_at: null, waiting: true });
      }

      const deadline = Date.now() + 30_000;
      while ((await rows(ids)).some((r) => r.sent_at === null) && Date.now() < deadline) {
        await sender.sendDue();
        await sleep(200);
      }
      const stored = await rows(ids);
      expect(stored.map((r) => [r.message_id, r.provider, r.sent_at !== null, r.last_error])).toEqual(
        [...ids].sort().map((id) => [id, `http:${new URL(provider.url).host}`, true, null]),
      );
      // Every message reached the provider, which kept each once; the first driver's in the order written.
      expect([...provider.kept].sort()).toEqual([...ids].sort());
      expect(provider.kept.indexOf(later.messageId)).toBeGreaterThan(provider.kept.indexOf(messages[0].messageId));
      // Every attempt of a message carried its id, in the body and as the Idempotency-Key, and the provider's token.
      for (const r of provider.requests) expect([r.key, r.authorization]).toEqual([r.messageId, 'Bearer provider-token']);
      // The two taken without an answer were sent again, under the same id.
      const unanswered = provider.requests.filter((r) => r.how === 'hang' || r.how === 'drop').map((r) => r.messageId);
      expect(unanswered).toHaveLength(2);
      for (const id of unanswered) {
        expect(provider.requests.filter((r) => r.messageId === id && r.how !== 'down').map((r) => r.how)).toEqual([
          expect.stringMatching(/hang|drop/),
          'ok',
        ]);
      }
      // Each message as its driver reads it: the Chinese driver's in Chinese.
      const toSecond = provider.requests.find((r) => r.to === second && r.how === 'ok')!;
      expect([toSecond.language, toSecond.text]).toEqual(['zh', messages[1].body]);
      const byId = new Map(stored.map((r) => [r.message_id, r.attempts]));
      expect(byId.get(later.messageId)).toBe(1);
      for (const m of messages) expect(byId.get(m.messageId)).toBe(3);
    } finally {
      await provider.close();
    }
  }, 60_000);

  it('sends a backlog to one phone one message at a time, oldest first, beside other phones', async () => {
    // One phone for every truck of a fleet (a dispatcher's), 40 messages behind a provider outage, and one other phone.
    const fleet = phone();
    const backlog = Array.from({ length: 40 }, () => draft('CALLED', fleet, 'VN'));
    for (const message of backlog) await enqueueNotifications(sqlOf(services.em.fork()), [message]);
    const other = draft('CLEARED', phone(), 'VN');
    await enqueueNotifications(sqlOf(services.em.fork()), [other]);
    const store = new NotificationStore(services.em.fork());
    const sent: string[] = [];
    for (let round = 0; round < backlog.length; round++) {
      const due = await store.claimDue(20);
      const toFleet = due.filter((m) => m.phone === fleet);
      expect(toFleet).toHaveLength(1);
      if (round === 0) expect(due.map((m) => m.messageId).sort()).toEqual([backlog[0].messageId, other.messageId].sort());
      for (const message of due) await store.markSent(message.messageId, 'outbox');
      sent.push(toFleet[0].messageId);
    }
    expect(sent).toEqual(backlog.map((m) => m.messageId));
    expect(await store.claimDue(20)).toEqual([]);
  });

  it('never gives two senders the same message at the same moment', async () => {
    const drafts = Array.from({ length: 12 }, () => draft('CLEARED', phone(), 'VN'));
    await enqueueNotifications(sqlOf(services.em.fork()), drafts);
    const [a, b] = [new NotificationStore(services.em.fork()), new NotificationStore(services.em.fork())];
    const [byA, byB] = await Promise.all([a.claimDue(12), b.claimDue(12)]);
    const taken = [...byA, ...byB].map((m) => m.messageId);
    expect(taken.sort()).toEqual(drafts.map((d) => d.messageId).sort());
    // Claimed, they are leased: neither sender, nor a third, finds them due again.
    expect(await new NotificationStore(services.em.fork()).claimDue(12)).toEqual([]);
  });
});
