import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { http } from './system/client';

/**
 * The console calls the API through a client typed from `/openapi.json` (console/src/http/schema.d.ts), so a screen
 * that sends a field the API does not take, or reads one it does not answer, fails the type check. This test keeps
 * those types equal to what today's API publishes: `npm run console:types` writes them anew.
 */
const ROOT = path.join(__dirname, '..');
const TYPES = path.join(ROOT, 'console', 'src', 'http', 'schema.d.ts');

describe("the console's API types", () => {
  it("are generated from today's OpenAPI document", async () => {
    const doc = await http('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'console-types-'));
    fs.writeFileSync(path.join(dir, 'openapi.json'), JSON.stringify(doc.body));
    // openapi-typescript is an ES module that jest's CommonJS runtime cannot load: run its command line.
    const cli = spawnSync(
      path.join(ROOT, 'node_modules', '.bin', 'openapi-typescript'),
      [path.join(dir, 'openapi.json'), '--alphabetize', '--output', path.join(dir, 'schema.d.ts')],
      { encoding: 'utf8' },
    );
    if (cli.status !== 0) throw new Error(`openapi-typescript failed: ${cli.stderr}`);
    const generated =
      "// Generated from the API's /openapi.json by `npm run console:types`: do not edit.\n\n" +
      fs.readFileSync(path.join(dir, 'schema.d.ts'), 'utf8');
    if (process.env.UPDATE_CONSOLE_TYPES) fs.writeFileSync(TYPES, generated);
    const committed = fs.existsSync(TYPES) ? fs.readFileSync(TYPES, 'utf8') : '';
    if (committed !== generated)
      throw new Error('console/src/http/schema.d.ts is out of date with /openapi.json: run npm run console:types');
  });
});
