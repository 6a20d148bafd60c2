import { initORM, preparedSqlOf, sqlOf, type Services } from '../infra/db/orm';
import { system } from './system/client';

/**
 * The statements every request runs go as named prepared statements (infra/db/orm.ts `preparedSqlOf`), so PostgreSQL
 * parses and plans them once per connection. Checked on one connection, where PostgreSQL lists what it has prepared.
 */
describe('prepared statements', () => {
  let services: Services;
  beforeAll(async () => {
    services = await initORM(system().databaseUrl, { poolMax: 1 });
  });
  afterAll(() => services?.orm.close(true));

  const prepared = async () =>
    (await sqlOf(services.em.fork())<{ name: string }>('select name from pg_prepared_statements order by name')).map((r) => r.name);

  it('prepares a statement once on its connection and runs it again with other values', async () => {
    const run = preparedSqlOf(services.em.fork(), 'probe');
    expect(await run<{ n: number }>('select ?::integer + 1 as n, ?::text as word', [41, 'rất'])).toEqual([{ n: 42, word: 'rất' }]);
    expect(await run<{ n: number }>('select ?::integer + 1 as n, ?::text as word', [1, null])).toEqual([{ n: 2, word: null }]);
    expect((await prepared()).filter((name) => name.startsWith('probe_'))).toHaveLength(1);
  });

  it('gives two texts under one name two statements, which pg would otherwise refuse', async () => {
    const run = preparedSqlOf(services.em.fork(), 'twice');
    expect(await run('select ?::integer as a', [1])).toEqual([{ a: 1 }]);
    expect(await run('select ?::integer as b', [2])).toEqual([{ b: 2 }]);
    expect((await prepared()).filter((name) => name.startsWith('twice_'))).toHaveLength(2);
  });

  it('runs inside the transaction of the EntityManager it is given', async () => {
    const em = services.em.fork();
    await em.transactional(async (trx) => {
      await sqlOf(trx)('create temporary table probe_rows (n integer) on commit drop');
      await sqlOf(trx)('insert into probe_rows values (7)');
      // The pool's one connection is the transaction's: a statement sent outside it would wait for it and never run, and
      // the row is visible only inside the transaction that wrote it.
      expect(await preparedSqlOf(trx, 'in_transaction')('select n from probe_rows where n = ?::integer', [7])).toEqual([{ n: 7 }]);
    });
  });

  it('reports the failure of a statement as PostgreSQL gave it, SQLSTATE included', async () => {
    await expect(preparedSqlOf(services.em.fork(), 'failing')('select 1 / ?::integer as n', [0])).rejects.toMatchObject({ code: '22012' });
  });
});
