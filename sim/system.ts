import fs from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../infra/config';
import { launchSystem, ROOT, stopProcess } from '../infra/launch-system';
import { PidFiles } from '../infra/pid-files';

/** The system the simulator plays against, and how to let go of it at the end. */
export interface Target {
  apiUrl: string;
  adminUsername: string;
  adminPassword: string;
  /** Where it came from, for the first line the simulator prints. */
  origin: string;
  /** Stops what the simulator itself started; nothing for a system someone else runs. */
  release: () => Promise<void>;
}

/**
 * Finds the system to play against, in this order:
 *
 * 1. `--api-url` (with `--admin-password`, else `ADMIN_PASSWORD`): any running system.
 * 2. The `npm start` of this checkout: its launcher writes `DATA_DIR/launcher.json` (the API's address) once ready and
 *    records its pid in `DATA_DIR/run/launcher.pid`; the first admin's password is `DATA_DIR/admin-password` (or
 *    `ADMIN_PASSWORD`). A file left by a launcher that is gone is not taken for a running system.
 * 3. Otherwise a system of its own in `.data/sim`, started as the benchmark starts one (`launchSystem`, the same
 *    launcher on free ports) and stopped at the end. The folder is kept, so a second run finds its devices again.
 */
export async function findTarget(opts: { apiUrl?: string; adminPassword?: string }): Promise<Target> {
  const config = loadConfig();
  const adminUsername = config.adminUsername;
  const nothing = async () => {};
  if (opts.apiUrl) {
    const adminPassword = opts.adminPassword ?? config.adminPassword;
    if (!adminPassword) throw new Error('--api-url needs --admin-password (or ADMIN_PASSWORD)');
    return { apiUrl: opts.apiUrl.replace(/\/$/, ''), adminUsername, adminPassword, origin: 'the system at --api-url', release: nothing };
  }

  const readyFile = path.join(config.dataDir, 'launcher.json');
  if (fs.existsSync(readyFile) && new PidFiles(config.dataDir).running('launcher')) {
    const { apiUrl } = JSON.parse(fs.readFileSync(readyFile, 'utf8')) as { apiUrl: string };
    const adminPassword =
      opts.adminPassword ?? config.adminPassword ?? fs.readFileSync(path.join(config.dataDir, 'admin-password'), 'utf8').trim();
    return { apiUrl, adminUsername, adminPassword, origin: `the running npm start (${config.dataDir})`, release: nothing };
  }

  const dataDir = path.join(ROOT, '.data', 'sim');
  console.log(`no npm start running with ${config.dataDir}: starting a system of its own in ${dataDir} …`);
  const launched = await launchSystem({ dataDir, env: { LOG_LEVEL: 'warn' } });
  let stopped = false;
  const release = async () => {
    if (stopped) return;
    stopped = true;
    await stopProcess(launched.process);
  };
  // Ctrl-C stops the system started here too (the launcher shares the terminal's signal, but may not be in its group).
  process.once('SIGINT', () => void release().then(() => process.exit(130)));
  return {
    apiUrl: launched.system.apiUrl,
    adminUsername,
    adminPassword: launched.system.adminPassword,
    origin: `a system of its own in ${dataDir}, stopped at the end (its log: ${launched.system.logFile})`,
    release,
  };
}
