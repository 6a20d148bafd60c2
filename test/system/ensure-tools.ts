import { spawnSync } from 'node:child_process';

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/**
 * The document tests read PDFs back with poppler's pdftotext and pdfinfo, as a person would. On a machine without
 * them (a fresh CI machine), install Debian's poppler-utils when we are root; otherwise say what to install.
 */
export function ensureTestTools(): void {
  if (has('pdftotext') && has('pdfinfo')) return;
  const root = process.getuid?.() === 0;
  if (root && has('apt-get')) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore', env });
    spawnSync('apt-get', ['install', '-y', '-qq', 'poppler-utils'], { stdio: 'ignore', env });
  }
  if (!has('pdftotext') || !has('pdfinfo')) {
    throw new Error('The tests need pdftotext and pdfinfo: install poppler-utils (apt-get install poppler-utils).');
  }
}
