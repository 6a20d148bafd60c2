import { createHash } from 'node:crypto';
import { MikroORM, type EntityManager, type Knex } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AccountSchema } from './entities/account';
import { GateSchema, YardSchema } from './entities/gate';
import { migrationsList } from './migrations';
import type { Sql } from '../audit';
import { storesOver, type Stores } from './stores';

/**
 * The database services every process shares: one ORM (one connection pool) per process, as mikro-orm/guide's
 * `initORM` returns them. Request handlers and activities each take a fork: `stores()` gives the stores over a fresh
 * one; `em` itself is only forked, never used.
 */
export interface Services {
  orm: MikroORM;
  em: EntityManager;
  stores(): Stores;
}

/**
 * Bounds on waiting for PostgreSQL, so a request or an activity fails fast (and the API answers 503) instead of
 * hanging when the database is down or frozen: a connection must be made within `connectMs`, a pooled connection
 * handed out within `acquireMs`, and a statement answered within `queryMs` (enforced by the server as
 * `statement_timeout`, and by the client too, for a server that does not answer at all).
 */
export interface DatabaseTimeouts {
  connectMs: number;
  acquireMs: number;
  queryMs: number;
}

/*
 * No pool error handler is added here because knex has one where it matters: the pool (tarn) never emits 'error', and
 * knex listens for 'error' and 'end' on every pg connection it makes, marking the connection disposed so the pool
 * drops it on its next checkout. A connection that breaks while idle (PostgreSQL restarted, a frozen server's socket
 * reset) therefore cannot crash the process with an unhandled 'error' event; one that breaks during a statement fails
 * that statement, which the caller sees (api/dependencies.ts turns it into a 503 naming PostgreSQL).
 */
/** The parts of a pg client that `discardWhenTimedOut` touches; knex marks a client it must not reuse `__knex__disposed`. */
interface PgConnection {
  query: (...args: unknown[]) => unknown;
  connection: { stream: { destroy: () => void } };
  __knex__disposed?: unknown;
}

/**
 * A statement that outlives `query_timeout` fails at once, but pg leaves it on the wire: the server, when it answers
 * again, still runs it. Reused, that connection would then run the next borrower's statements after it, and after a
 * BEGIN that timed out that means inside a transaction nobody commits: a write reported done and lost when the
 * session ends, or refused with 25P02 after a statement in it failed (test/database-errors.test.ts). So a connection
 * whose statement timed out is closed, which also ends its session and rolls back what it held, and never reused.
 */
function discardWhenTimedOut(connection: PgConnection): void {
  const query = connection.query.bind(connection);
  connection.query = (...args: unknown[]) => {
    const last = args.length - 1;
    const callback = args[last];
    if (typeof callback === 'function') {
      args[last] = (err: Error | null, ...rest: unknown[]) => {
        if (err?.message === 'Query read timeout') {
          connection.__knex__disposed = 'a statement outlived its timeout';
          connection.connection.stream.destroy();
        }
        return (callback as (...a: unknown[]) => unknown)(err, ...rest);
      };
    }
    return query(...args);
  };
}

export async function initORM(databaseUrl: string, opts: { poolMax?: number; timeouts?: DatabaseTimeouts } = {}): Promise<Services> {
  const t = opts.timeouts;
  const orm = await MikroORM.init({
    clientUrl: databaseUrl,
    entities: [AccountSchema, GateSchema, YardSchema],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, tableName: 'mikro_orm_migrations' },
    // Processes start even when PostgreSQL is down; /readyz says so and requests get 503 until it is back.
    connect: false,
    pool: {
      min: 0,
      max: opts.poolMax ?? 10,
      ...(t ? { acquireTimeoutMillis: t.acquireMs, createTimeoutMillis: t.connectMs } : {}),
      afterCreate: (connection: PgConnection, done: (err: Error | null, connection: PgConnection) => void) => {
        discardWhenTimedOut(connection);
        done(null, connection);
      },
    },
    driverOptions: t
      ? {
          acquireConnectionTimeout: t.acquireMs,
          connection: {
            connectionTimeoutMillis: t.connectMs,
            query_timeout: t.queryMs,
            statement_timeout: t.queryMs,
            idle_in_transaction_session_timeout: t.queryMs * 3,
            keepAlive: true,
          },
        }
      : {},
    forceUtcTimezone: true,
    debug: false,
    logger: () => undefined,
  });
  return { orm, em: orm.em, stores: () => storesOver(orm.em.fork()) };
}

/** Applies every pending migration; safe to run on each start. */
export async function migrate(services: Services): Promise<string[]> {
  const applied = await services.orm.getMigrator().up();
  return applied.map((m) => m.name);
}

/** Raw SQL with `?` placeholders on an EntityManager's connection (inside its transaction, when it has one). */
export function sqlOf(em: EntityManager): Sql {
  return (sql, params = []) => em.getConnection().execute(sql, params, 'all', em.getTransactionContext());
}

/**
 * As `sqlOf`, but sent as the named prepared statement `name`, its values as parameters. sqlOf's MikroORM writes the
 * values into the text, so PostgreSQL parses and plans the statement afresh on every call; a prepared statement is
 * parsed once per connection and, after its first few runs, planned once too. For the statements every request runs:
 * the request's opening took 0.53 ms a call with its values written in and 0.23 ms prepared (pgbench, one client,
 * against 10,000 crossings; bench/results/latest.md). The statement's name is `name` and a hash of its text, as pg
 * refuses one name for two texts. Give each parameter a cast (`?::uuid`): PostgreSQL must know its type without
 * seeing its value.
 */
export function preparedSqlOf(em: EntityManager, name: string): Sql {
  return async <T>(sql: string, params: unknown[] = []) => {
    const trx = em.getTransactionContext<Knex.Transaction>();
    const statement = { name: statementName(name, sql) };
    const result = await (trx ?? em.getConnection().getKnex()).raw(sql, params as Knex.RawBinding[]).options(statement);
    return (result as { rows: T[] }).rows;
  };
}

const statementNames = new Map<string, string>();
function statementName(name: string, sql: string): string {
  let named = statementNames.get(sql);
  if (!named) {
    named = `${name}_${createHash('sha256').update(sql).digest('hex').slice(0, 12)}`;
    statementNames.set(sql, named);
  }
  return named;
}
