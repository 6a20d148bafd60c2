import { loadConfig } from './config';
import { initORM, migrate } from './db/orm';
import { createLogger } from './logger';

/** `npm run migrate`: applies pending migrations to DATABASE_URL, for deployments that run them as their own step. */
async function main(): Promise<void> {
  const { databaseUrl } = loadConfig();
  if (!databaseUrl) throw new Error('set DATABASE_URL');
  const services = await initORM(databaseUrl, { poolMax: 1 });
  try {
    const applied = await migrate(services);
    createLogger('migrate').info({ applied }, applied.length ? 'migrations applied' : 'schema up to date');
  } finally {
    await services.orm.close();
  }
}

main().catch((err) => {
  createLogger('migrate').fatal({ err }, 'migration failed');
  process.exit(1);
});
