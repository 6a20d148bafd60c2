import type { Direction } from '../domain/declaration';
import { wakeDispatchers } from '../infra/queue-dispatchers';
import type { ApiContext } from './context';

/**
 * Wakes a gate's queue dispatchers after a change the API made (a yard place freed by an exit read, a closure, new
 * settings), where the gate keeps a queue. Never fails the request: a wake is a hint, and the dispatcher's next round
 * (30 s at most) finds the same change.
 */
export async function wakeQueue(ctx: ApiContext, gate: string, directions?: readonly Direction[]): Promise<void> {
  try {
    const queue = await ctx.services.stores().queue.gateQueue(gate);
    if (!queue?.settings) return;
    await wakeDispatchers(ctx.temporal, ctx.config.taskQueue, gate, directions);
  } catch (err) {
    ctx.log.warn({ gate, error: String(err) }, 'could not wake the queue dispatchers; their next round will find the change');
  }
}
