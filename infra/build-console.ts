import fs from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { PROJECT_ROOT } from './project-root';

/**
 * Builds the console into static files the API serves at `/` (console/dist): one bundled script and one stylesheet,
 * every byte from this repository and npm, nothing from a CDN (booths often have no internet). Run by `npm install`
 * (the `prepare` script) and again by `npm start` (and so by the test set-up), so the served console is always today's.
 */
const HERE = path.join(PROJECT_ROOT, 'console');
const OUT = path.join(HERE, 'dist');

export async function buildConsole(): Promise<void> {
  fs.mkdirSync(OUT, { recursive: true });
  await build({
    entryPoints: [path.join(HERE, 'src', 'main.tsx')],
    bundle: true,
    outfile: path.join(OUT, 'app.js'),
    format: 'esm',
    target: ['es2022'],
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    sourcemap: true,
    legalComments: 'linked',
    logLevel: 'warning',
    tsconfig: path.join(HERE, 'tsconfig.json'),
  });
  fs.copyFileSync(path.join(HERE, 'index.html'), path.join(OUT, 'index.html'));
  fs.copyFileSync(path.join(HERE, 'styles.css'), path.join(OUT, 'styles.css'));
}

if (require.main === module) {
  buildConsole().catch((err) => {
    process.stderr.write(`The console could not be built: ${(err as Error).message}\n`);
    process.exit(1);
  });
}
