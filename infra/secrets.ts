import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * A secret as configured (`given`, read by loadConfig from the environment variable `envName`), or in development one
 * generated once into the data folder and read back on every later start (so tokens survive a restart). Production
 * refuses to run without it.
 */
export function secretOrGenerated(
  given: string | undefined,
  envName: string,
  fileName: string,
  opts: { dataDir: string; production: boolean; bytes?: number },
): string {
  if (given) return given;
  if (opts.production) throw new Error(`${envName} must be set in production`);
  const file = path.join(opts.dataDir, fileName);
  fs.mkdirSync(opts.dataDir, { recursive: true });
  try {
    // 'wx' fails when the file exists, so two processes starting at once agree on the first one written.
    fs.writeFileSync(file, randomBytes(opts.bytes ?? 32).toString('base64url'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return fs.readFileSync(file, 'utf8').trim();
}
