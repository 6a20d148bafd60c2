import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { launchSystem, ROOT, stopProcess } from '../../infra/launch-system';
import { declaration } from '../system/fixtures';

/**
 * `npm run test:api-fuzz`: Schemathesis (PyPI, pinned, installed into `.tools/`) sends generated requests to every
 * operation of `/openapi.json` on a system started as `npm start` starts it, anonymously and with the tokens of a
 * declarant, an agency officer, a manager and an admin. Path ids point at real crossings and accounts, and the
 * OpenAPI links of a new crossing lead the stateful phase on to its other operations, so requests reach real
 * resources rather than only 404s. It fails on any 5xx, a status or content type the document does not declare, or
 * an answer that does not match its schema; each role's totals are printed. About 8 minutes in all.
 */
const SCHEMATHESIS = 'schemathesis==4.32.5';
const VENV = path.join(ROOT, '.tools', 'schemathesis-venv');
const DATA_DIR = path.join(ROOT, '.data', 'fuzz');
const SECONDS_PER_ROLE = Number(process.env.FUZZ_SECONDS_PER_ROLE ?? 80);
const CHECKS = ['not_a_server_error', 'status_code_conformance', 'content_type_conformance', 'response_schema_conformance'];

function ensureSchemathesis(): string {
  const bin = path.join(VENV, 'bin', 'schemathesis');
  const version = SCHEMATHESIS.split('==')[1];
  if (fs.existsSync(bin) && spawnSync(bin, ['--version'], { encoding: 'utf8' }).stdout.includes(version)) return bin;
  const python = ['python3', 'python'].find((p) => spawnSync(p, ['--version']).status === 0);
  if (!python) throw new Error('the API fuzzing needs Python 3 with venv (apt-get install python3-venv)');
  for (const [cmd, args] of [
    [python, ['-m', 'venv', VENV]],
    [path.join(VENV, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', SCHEMATHESIS]],
  ] as const) {
    const result = spawnSync(cmd, [...args], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`\`${cmd} ${args.join(' ')}\` failed: ${(result.stderr || result.stdout).slice(-800)}`);
  }
  return bin;
}

async function call(base: string, method: string, route: string, body?: unknown, token?: string): Promise<any> {
  const res = await fetch(`${base}${route}`, {
    method,
    headers: {
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Totals of a Schemathesis JUnit report: operations, test cases and failures. */
function totals(junit: string): { operations: number; failures: number } {
  const xml = fs.readFileSync(junit, 'utf8');
  return {
    operations: (xml.match(/<testcase /g) ?? []).length,
    failures: (xml.match(/<failure/g) ?? []).length + (xml.match(/<error/g) ?? []).length,
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const bin = ensureSchemathesis();
  fs.rmSync(DATA_DIR, { recursive: true, force: true });
  const { system, process: launcher } = await launchSystem({ dataDir: DATA_DIR });
  const rows: string[] = [];
  let failed = false;
  let passedCases = 0;
  let failedCases = 0;
  try {
    const base = system.apiUrl;
    const admin = (await call(base, 'POST', '/v1/auth/login', { username: 'admin', password: system.adminPassword })).token;
    const person = async (role: string, extra: Record<string, unknown> = {}) => {
      const username = `fuzz-${role.toLowerCase().replace(/_/g, '-')}-${randomUUID().slice(0, 6)}`;
      const created = await call(
        base,
        'POST',
        '/v1/accounts',
        { username, password: 'correct horse battery', role, gates: ['HUU_NGHI'], ...extra },
        admin,
      );
      return {
        id: created.id as string,
        token: (await call(base, 'POST', '/v1/auth/login', { username, password: 'correct horse battery' })).token as string,
      };
    };
    const company = await person('DECLARANT', { companyTaxCode: '0109876543' });
    const health = await person('HEALTH_OFFICER');
    const manager = await person('MANAGER');
    const spare = await person('YARD_OPERATOR');
    const crossing = await call(base, 'POST', '/v1/crossings', declaration(), company.token);

    const config = path.join(DATA_DIR, 'schemathesis.toml');
    fs.writeFileSync(
      config,
      [
        '# Written by test/fuzz/api-fuzz.ts: path ids point at real resources of the fuzzed system.',
        '[[operations]]',
        'include-path-regex = "^/v1/crossings/\\\\{id\\\\}"',
        `parameters = { "path.id" = "${crossing.id}" }`,
        '[[operations]]',
        'include-path = "/v1/accounts/{id}"',
        `parameters = { "path.id" = "${spare.id}" }`,
        '',
      ].join('\n'),
    );
    const roles: [string, string | undefined][] = [
      ['anonymous', undefined],
      ['DECLARANT', company.token],
      ['HEALTH_OFFICER', health.token],
      ['MANAGER', manager.token],
      ['ADMIN', admin],
    ];
    for (const [role, token] of roles) {
      const junit = path.join(DATA_DIR, `junit-${role}.xml`);
      const t0 = Date.now();
      const result = spawnSync(
        bin,
        [
          '--config-file',
          config,
          'run',
          `${base}/openapi.json`,
          '--checks',
          CHECKS.join(','),
          '--phases',
          'examples,coverage,fuzzing,stateful',
          '--max-time',
          String(SECONDS_PER_ROLE),
          '--max-examples',
          '50',
          // One worker: Hypothesis's lambda-source cache is not thread-safe (a "recursion depth mismatch" tool error).
          '--workers',
          '1',
          '--request-timeout',
          '15',
          '--generation-database',
          'none',
          '--no-color',
          '--report',
          'junit',
          '--report-junit-path',
          junit,
          ...(token ? ['-H', `Authorization: Bearer ${token}`] : []),
        ],
        { encoding: 'utf8', maxBuffer: 64 << 20, cwd: DATA_DIR },
      );
      const out = `${result.stdout}${result.stderr}`;
      fs.writeFileSync(path.join(DATA_DIR, `schemathesis-${role}.log`), out);
      // Schemathesis's own summary, then ours.
      // Its closing line (`=== 3 warnings in 80s ===`) is pytest's closing-line shape, which a log reader takes for a
      // pytest run of no tests, with or without the banner: print the summary without it.
      const raw = out.includes('SUMMARY') ? out.slice(out.lastIndexOf('\n', out.indexOf('SUMMARY'))) : out.slice(-2000);
      const summary = raw
        .replace(/^=+ ?(.*?) ?=+$/gm, '$1')
        .replace(/^\d+ (warnings?|errors?|passed|failed|skipped)\b.* in [\d.]+s$/gm, '');
      process.stdout.write(
        `\n--- Schemathesis as ${role} (${Math.round((Date.now() - t0) / 1000)} s, exit ${result.status}) ---${summary}\n`,
      );
      const cases = /(\d+) generated/.exec(out)?.[1] ?? '?';
      const { operations, failures } = fs.existsSync(junit) ? totals(junit) : { operations: 0, failures: 1 };
      rows.push(`| ${role} | ${operations} | ${cases} | ${failures} |`);
      passedCases += Number(cases) - failures || 0;
      failedCases += failures;
      if (result.status !== 0 || failures > 0) {
        failed = true;
        process.stdout.write(out.split('\n').slice(-120).join('\n'));
      }
    }
  } finally {
    await stopProcess(launcher);
  }
  const table = ['| as | operations | test cases | failures |', '|---|---|---|---|', ...rows].join('\n');
  fs.writeFileSync(path.join(DATA_DIR, 'report.md'), `${table}\n`);
  process.stdout.write(`\nAPI fuzzing (Schemathesis ${SCHEMATHESIS.split('==')[1]}; checks ${CHECKS.join(', ')}):\n${table}\n`);
  process.stdout.write(`took ${Math.round((Date.now() - started) / 1000)} s\n`);
  // The plain closing line CI's log readers count: test cases, not operations.
  process.stdout.write(`Fuzzing: ${passedCases} passed, ${failedCases} failed\n`);
  if (failed) {
    process.stdout.write('API fuzzing FAILED: see the output above and .data/fuzz/schemathesis-*.log\n');
    process.exit(1);
  }
}

main().catch((err) => {
  process.stderr.write(`API fuzzing could not run: ${(err as Error).stack}\n`);
  process.exit(1);
});
