import path from 'node:path';

/**
 * The same modules run from two places: the repository under tsx (`npm start`, the tests) and the compiled build in
 * dist/ under plain `node` (production). Paths to code (entry points, the workflow bundle) are taken from CODE_ROOT;
 * paths to what only the repository holds (package.json, console/dist, .tools) from PROJECT_ROOT, which is the
 * repository in both cases. Deriving one from the other here keeps every `__dirname, '..'` out of the other files.
 */
export const FROM_SOURCE = __filename.endsWith('.ts');

/** The repository (from source) or dist/ (compiled). */
export const CODE_ROOT = path.resolve(__dirname, '..');

/** The repository, where package.json and console/dist are: dist/'s parent when compiled. */
export const PROJECT_ROOT = FROM_SOURCE ? CODE_ROOT : path.dirname(CODE_ROOT);

/** A module's file under CODE_ROOT, `.ts` from source and `.js` compiled (`codeFile('worker', 'main')`). */
export function codeFile(...segments: string[]): string {
  return path.join(CODE_ROOT, ...segments) + (FROM_SOURCE ? '.ts' : '.js');
}
