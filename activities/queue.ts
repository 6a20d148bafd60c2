import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { log } from '@temporalio/activity';
import type { Direction } from '../domain/declaration';
import { QUEUE_SIGNAL, type QueueNotice } from '../domain/queue';
import { workflowIdOf } from '../domain/workflow-ids';
import type { Services } from '../infra/db/orm';

/** Told per round at most; more waits for the next round, half a second later. */
const TELL_PER_ROUND = 200;
const PARALLEL_SIGNALS = 32;

export function createQueueDispatch(services: Services, temporal: Client) {
  /** Tells crossings the queue changes committed and not yet told, and records what they were told. */
  async function tellCrossings(gate: string, direction: Direction): Promise<boolean> {
    const stores = services.stores();
    const batch = await stores.queue.undelivered(gate, direction, TELL_PER_ROUND);
    const told: { crossingId: string; seq: number }[] = [];
    for (let i = 0; i < batch.length; i += PARALLEL_SIGNALS) {
      const slice = batch.slice(i, i + PARALLEL_SIGNALS);
      const results = await Promise.allSettled(
        slice.map(({ crossingId, notice }) => temporal.workflow.getHandle(workflowIdOf(crossingId)).signal<[QueueNotice]>(QUEUE_SIGNAL, notice)),
      );
      results.forEach((r, j) => {
        // A crossing whose workflow is gone has nothing to be told.
        if (r.status === 'fulfilled' || r.reason instanceof WorkflowNotFoundError) told.push({ crossingId: slice[j].crossingId, seq: slice[j].notice.seq });
        else log.warn('could not tell a crossing of its queue entry; the next round tries again', { error: String(r.reason) });
      });
    }
    await stores.queue.delivered(told);
    return batch.length === TELL_PER_ROUND || told.length < batch.length;
  }

  return {
    /**
     * One dispatcher round (workflows/queue-dispatcher.ts): the queue's changes in one transaction, then the crossings
     * told. Idempotent: a repeated round changes only what is due again, and a crossing told twice keeps it once.
     */
    async dispatchQueue({ gate, direction }: { gate: string; direction: Direction }) {
      const round = await services.stores().queue.dispatch(gate, direction);
      const pending = await tellCrossings(gate, direction);
      // A no-show sent to the back may be called again at once: the next round comes soon rather than at the idle pace.
      return { keepsQueue: round.keepsQueue, nextDueAt: round.nextDueAt, pending: pending || round.noShows.length > 0, called: round.called.length };
    },
  };
}
