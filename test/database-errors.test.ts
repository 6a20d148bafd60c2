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
  private frozenNow = false;
  /** Bytes sent while frozen, delivered on thaw, as a stopped server's kernel buffers them. */
  private readonly held: (() => void)[] = [];
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
      // A side that closes closes the other, after what was held for it (a server reads a closed socket's last bytes).
      client.on('close', () => this.pass(() => upstream.end()));
      upstream.on('close', () => this.pass(() => client.destroy()));
      client.on('data', (d) => this.pass(() => upstream.write(d)));
      upstream.on('data', (d) => this.pass(() => client.write(d)));
    });
  }

  private pass(send: () => void): void {
    if (this.frozenNow) this.held.push(send);
    else send();
  }

  set frozen(frozen: boolean) {
    this.frozenNow = frozen;
    if (!frozen) for (const send of this.held.splice(0)) send();
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
    // One connection, so a statement after the freeze gets the very connection the freeze caught.
    services = await initORM(url.toString(), { poolMax: 1, timeouts: { connectMs: 1000, acquireMs: 1000, queryMs: 1000 } });
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

  it.each(['begin', 'statement', 'commit'] as const)(
    'runs the next statement in a transaction of its own once the server answers again, not in the one the freeze cut at its %s',
    async (freezeAt) => {
      await failureOf(freezeAt);
      relay.frozen = false;
      // The held BEGIN (or statement) reaches the server now; a connection reused after it would run what follows inside
      // that transaction, never committed (or refused, 25P02, once a statement in it failed).
      await new Promise((r) => setTimeout(r, 300));
      const [row] = await services.em.getConnection().execute<{ own: boolean }[]>('select now() = statement_timestamp() as own');
      expect(row.own).toBe(true);
    },
    30_000,
  );
});
