import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { Context, log } from '@temporalio/activity';
import { DIRECTIONS, type Direction } from '../domain/declaration';
import { QUEUE_SIGNAL, type QueueNotice } from '../domain/queue';
import { workflowIdOf } from '../domain/workflow-ids';
import type { Services } from '../infra/db/orm';
import { wakeDispatchers } from '../infra/queue-dispatchers';
import type { CrossingRef } from './crossing-ref';

/** Told per round at most; more waits for the next round, half a second later. */
const TELL_PER_ROUND = 200;
const PARALLEL_SIGNALS = 32;

export function createQueueDispatch(services: Services, temporal: Client) {
  /** Tells crossings the queue changes committed and not yet told, and records what they were told. */
  async function tellCrossings(gate: string, direction: Direction): Promise<boolean> {
    const stores = services.stores();
    const batch = await stores.queue.undelivered(gate, direction, TELL_PER_ROUND);
    const told: { crossingId: string; seq: number }[] = [];
    const gone: string[] = [];
    for (let i = 0; i < batch.length; i += PARALLEL_SIGNALS) {
      const slice = batch.slice(i, i + PARALLEL_SIGNALS);
      const results = await Promise.allSettled(
        slice.map(({ crossingId, notice }) =>
          notice ? temporal.workflow.getHandle(workflowIdOf(crossingId)).signal<[QueueNotice]>(QUEUE_SIGNAL, notice) : undefined,
        ),
      );
      results.forEach((r, j) => {
        const { crossingId, seq } = slice[j];
        if (r.status === 'fulfilled') told.push({ crossingId, seq });
        // A crossing whose workflow is gone has nothing to be told, and no one to call: it leaves the queue.
        else if (r.reason instanceof WorkflowNotFoundError) gone.push(crossingId);
        else log.warn('could not tell a crossing of its queue entry; the next round tries again', { error: String(r.reason) });
      });
    }
    await stores.queue.delivered(told);
    await stores.queue.leave(gone);
    return batch.length === TELL_PER_ROUND || told.length + gone.length < batch.length;
  }

  return {
    /**
     * One dispatcher round (workflows/queue-dispatcher.ts): the queue's changes in one transaction, then the crossings
     * told. Idempotent: a repeated round changes only what is due again, and a crossing told twice keeps it once.
     */
    async dispatchQueue({ gate, direction }: { gate: string; direction: Direction }) {
      const round = await services.stores().queue.dispatch(gate, direction);
      const pending = await tellCrossings(gate, direction);
      // A no-show or an expiry gave a place back: the other direction shares the yards (a hint; its round finds it).
      if (round.noShows.length || round.expired.length) {
        const others = DIRECTIONS.filter((d) => d !== direction);
        void wakeDispatchers(temporal, Context.current().info.taskQueue, gate, others).catch((err) =>
          log.warn('could not wake the other direction’s dispatcher', { gate, error: String(err) }),
        );
      }
      // A no-show sent to the back may be called again at once: the next round comes soon rather than at the idle pace.
      return {
        keepsQueue: round.keepsQueue,
        dueInMs: round.dueInMs,
        pending: pending || round.noShows.length > 0,
        called: round.called.length,
      };
    },
  };
}

/** The crossing's own word to its queue entry, a side effect like the others (its failure can become an incident). */
export function createQueueArrival(services: Services) {
  return {
    /** The guard decided the truck at the border entry: it has arrived, as far as the queue is concerned. */
    async recordQueueArrival({ crossingId, gate }: CrossingRef): Promise<void> {
      await services.stores().queue.arrived(crossingId, gate);
    },
  };
}
