import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
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
export async function initORM(databaseUrl: string, opts: { poolMax?: number; timeouts?: DatabaseTimeouts } = {}): Promise<Services> {
  const t = opts.timeouts;
  const orm = await MikroORM.init({
    clientUrl: databaseUrl,
    entities: [AccountSchema, GateSchema, YardSchema],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, tableName: 'mikro_orm_migrations' },
    // Processes start even when PostgreSQL is down; /readyz says so and requests get 503 until it is back.
    connect: false,
    pool: { min: 0, max: opts.poolMax ?? 10, ...(t ? { acquireTimeoutMillis: t.acquireMs, createTimeoutMillis: t.connectMs } : {}) },
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
