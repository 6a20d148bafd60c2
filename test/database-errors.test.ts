import net from 'node:net';
import { classified } from '../activities/failures';
import { TRANSIENT_FAILURE } from '../domain/failures';
import { isTransientDatabaseError } from '../infra/db/errors';
import { initORM, type Services } from '../infra/db/orm';
import { system } from './system/client';

/**
 * A crossing's change is one transaction (activities/crossing-work.ts). When PostgreSQL stops answering (a frozen
 * server, a cut link that TCP has not noticed) at any point of that transaction, the failure must read as transient,
 * so the workflow waits and retries instead of putting an incident on the crossing for an admin. The server here is
 * the real one, behind a relay that can stop passing bytes as a frozen server would.
 */
class FreezableRelay {
  frozen = false;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  constructor(private readonly target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => s.destroy());
        s.on('close', () => this.sockets.delete(s));
      }
      client.on('data', (d) => this.frozen || upstream.write(d));
      upstream.on('data', (d) => this.frozen || client.write(d));
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as net.AddressInfo).port;
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

describe('a transaction while PostgreSQL stops answering', () => {
  let relay: FreezableRelay;
  let services: Services;

  beforeEach(async () => {
    const target = new URL(system().databaseUrl);
    relay = new FreezableRelay({ host: target.hostname, port: Number(target.port || 5432) });
    const url = new URL(target);
    url.host = `127.0.0.1:${await relay.listen()}`;
    services = await initORM(url.toString(), { poolMax: 2, timeouts: { connectMs: 1000, acquireMs: 1000, queryMs: 1000 } });
    // A pooled connection, open and idle, as the worker's are when the server freezes.
    await services.em.getConnection().execute('select 1');
  });

  afterEach(async () => {
    relay.frozen = false;
    await services.orm.close().catch(() => undefined);
    await relay.close();
  });

  async function failureOf(freezeAt: 'begin' | 'statement' | 'commit'): Promise<unknown> {
    if (freezeAt === 'begin') relay.frozen = true;
    try {
      await services.em.fork().transactional(async (tx) => {
        const run = (sql: string) => tx.getConnection().execute(sql, [], 'all', tx.getTransactionContext());
        await run('select 1');
        if (freezeAt === 'statement') relay.frozen = true;
        await run('select 2');
        if (freezeAt === 'commit') relay.frozen = true;
      });
    } catch (err) {
      return err;
    }
    throw new Error('the transaction committed through a frozen server');
  }

  it.each(['begin', 'statement', 'commit'] as const)(
    'fails as transient when the server stops answering at its %s, so the crossing waits and takes no incident',
    async (freezeAt) => {
      const err = await failureOf(freezeAt);
      expect(isTransientDatabaseError(err)).toBe(true);
      expect(classified(err, 'settleCrossing')).toMatchObject({ type: TRANSIENT_FAILURE, nonRetryable: false });
    },
    30_000,
  );
});
