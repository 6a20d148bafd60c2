import { spawnSync } from 'node:child_process';
import { ROOT } from '../infra/launch-system';

/**
 * Imports point one way (eslint.config.mjs): each folder's rule refuses an import of a folder above it, and lets the
 * allowed ones through. Linted as the text of a real file of that folder, as an editor would.
 */
const REFUSED: [string, string][] = [
  ['domain/roles.ts', "import { initORM } from '../infra/db/orm';\nexport const x = initORM;\n"],
  ['infra/config.ts', "import { createActivities } from '../activities';\nexport const x = createActivities;\n"],
  ['activities/yard.ts', "import { CrossingState } from '../workflows/crossing-state';\nexport const x = CrossingState;\n"],
  ['workflows/serial.ts', "import { createYard } from '../activities/yard';\nexport const x = createYard;\n"],
  ['workflows/serial.ts', "import { sqlOf } from '../infra/db/orm';\nexport const x = sqlOf;\n"],
  ['workflows/serial.ts', "import fs from 'node:fs';\nexport const x = fs;\n"],
  ['api/app.ts', "import { createYard } from '../activities/yard';\nexport const x = createYard;\n"],
  ['worker/heartbeat.ts', "import { createApp } from '../api/app';\nexport const x = createApp;\n"],
];
const ALLOWED: [string, string][] = [
  ['workflows/serial.ts', "import type { Activities } from '../activities';\nexport type X = Activities;\n"],
  ['api/app.ts', "import { viewQuery } from '../workflows/messages';\nexport const x = viewQuery;\n"],
  ['activities/yard.ts', "import { sqlOf } from '../infra/db/orm';\nexport const x = sqlOf;\n"],
  ['worker/heartbeat.ts', "import { createActivities } from '../activities';\nexport const x = createActivities;\n"],
];

/** The rule ids ESLint reports for each case, linted in one process of its own (its config is an ES module). */
function lint(cases: [string, string][]): string[][] {
  const script = `
    const { ESLint } = require('eslint');
    const path = require('node:path');
    (async () => {
      const eslint = new ESLint({ cwd: process.cwd() });
      const out = [];
      for (const [file, source] of JSON.parse(process.argv[1])) {
        const [result] = await eslint.lintText(source, { filePath: path.join(process.cwd(), file) });
        out.push(result.messages.map((m) => m.ruleId));
      }
      process.stdout.write(JSON.stringify(out));
    })();`;
  const result = spawnSync(process.execPath, ['-e', script, JSON.stringify(cases)], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

describe('the import direction, enforced by lint', () => {
  const RULE = '@typescript-eslint/no-restricted-imports';
  let refused: string[][];
  let allowed: string[][];
  beforeAll(() => {
    [refused, allowed] = [lint(REFUSED), lint(ALLOWED)];
  }, 120_000);

  it.each(REFUSED.map((c, i) => [...c, i] as const))('refuses, in %s: %s', (_file, _source, i) => {
    expect(refused[i]).toContain(RULE);
  });

  it.each(ALLOWED.map((c, i) => [...c, i] as const))('allows, in %s: %s', (_file, _source, i) => {
    expect(allowed[i]).not.toContain(RULE);
  });
});
