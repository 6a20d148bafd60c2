import { MikroORM, type EntityManager } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { AccountSchema } from './entities/account';
import { GateSchema, YardSchema } from './entities/gate';
import { migrationsList } from './migrations';
import type { Sql } from '../audit';

/**
 * The database services every process shares: one ORM (one connection pool) per process. Request handlers and
 * activities each take a fork of `em`, never the global one.
 */
export interface Services {
  orm: MikroORM;
  em: EntityManager;
}

export async function initORM(databaseUrl: string, opts: { poolMax?: number } = {}): Promise<Services> {
  const orm = await MikroORM.init({
    clientUrl: databaseUrl,
    entities: [AccountSchema, GateSchema, YardSchema],
    extensions: [Migrator],
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false, tableName: 'mikro_orm_migrations' },
    // Processes start even when PostgreSQL is down; /readyz says so and requests get 503 until it is back.
    connect: false,
    pool: { min: 0, max: opts.poolMax ?? 10 },
    forceUtcTimezone: true,
    debug: false,
    logger: () => undefined,
  });
  return { orm, em: orm.em };
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
