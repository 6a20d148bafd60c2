import fs from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode, type BundleOptions } from '@temporalio/worker';
import { CODE_ROOT, codeFile } from './project-root';
import { WORKFLOW_INTERCEPTOR_MODULES } from './tracing';

/**
 * The one place the workflow code is bundled. Two callers: `npm run build`, which writes dist/workflow-bundle.js once
 * so a production worker never runs webpack at start (seconds of CPU and a devDependency-sized tool chain), and the
 * launcher from source, which bundles into its data folder at every `npm start` so each worker of the run loads the
 * same, current code.
 *
 * Options pass through to `bundleWorkflowCode` (e.g. `workflowInterceptorModules`), so a caller adds a bundler setting
 * without a second bundling path.
 */
export type WorkflowBundleOptions = Omit<BundleOptions, 'workflowsPath'>;

/**
 * Where the build puts the bundles, and where a compiled worker looks when WORKFLOW_BUNDLE_PATH is unset: the plain one,
 * and the one with the tracing interceptors (infra/tracing.ts), which a worker loads when traces are on.
 */
export const PREBUILT_BUNDLE_PATH = path.join(CODE_ROOT, 'workflow-bundle.js');
export const PREBUILT_TRACED_BUNDLE_PATH = path.join(CODE_ROOT, 'workflow-bundle-traced.js');
export const prebuiltBundlePath = (traced: boolean) => (traced ? PREBUILT_TRACED_BUNDLE_PATH : PREBUILT_BUNDLE_PATH);

/** The webpack logger's chatter is dropped; its warnings and errors are what a broken bundle says. */
const quietLogger = (warn: (m: string) => void, error: (m: string) => void): BundleOptions['logger'] => ({
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn,
  error,
});

/** Bundles workflows/index (source or compiled, whichever is running) and writes the code to `outPath`. */
export async function writeWorkflowBundle(outPath: string, options: WorkflowBundleOptions = {}): Promise<string> {
  const { code } = await bundleWorkflowCode({
    logger: quietLogger(
      (m) => process.stderr.write(`workflow bundle: ${m}\n`),
      (m) => process.stderr.write(`workflow bundle: ${m}\n`),
    ),
    ...options,
    workflowsPath: codeFile('workflows', 'index'),
  });
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, code);
  return outPath;
}

/** `npm run build`: `node dist/infra/workflow-bundle.js` writes both prebuilt bundles from the compiled workflows. */
if (require.main === module) {
  (async () => {
    const written = [
      await writeWorkflowBundle(PREBUILT_BUNDLE_PATH),
      await writeWorkflowBundle(PREBUILT_TRACED_BUNDLE_PATH, { workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES }),
    ];
    return written.map((w) => path.relative(process.cwd(), w)).join(' and ');
  })().then(
    (written) => process.stdout.write(`workflow bundles written to ${written}\n`),
    (err) => {
      process.stderr.write(`The workflow bundle could not be built: ${(err as Error).message}\n`);
      process.exit(1);
    },
  );
}
