import type { ApiContext } from './context';

const TIMEOUT_MS = 2000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} did not answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS).unref(),
    ),
  ]);
}

/** Whether each dependency answers now: `up`, or why not. */
export async function checkReadiness(ctx: ApiContext): Promise<{ postgres: string; temporal: string }> {
  const describe = (err: unknown) => `down: ${(err as Error).message?.split('\n')[0] ?? 'unreachable'}`;
  const [postgres, temporal] = await Promise.all([
    withTimeout(ctx.services.em.getConnection().execute('select 1'), 'PostgreSQL').then(() => 'up', describe),
    withTimeout(ctx.temporal.workflowService.getSystemInfo({}), 'Temporal').then(() => 'up', describe),
  ]);
  return { postgres, temporal };
}
