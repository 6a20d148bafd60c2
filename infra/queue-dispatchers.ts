import type { Client } from '@temporalio/client';
import { DIRECTIONS, type Direction } from '../domain/declaration';
import { dispatcherIdOf } from '../domain/workflow-ids';
import { DISPATCHER_WAKE_SIGNAL, type DispatcherInput } from '../domain/queue';

/**
 * Wakes a gate's queue dispatchers (starting them when none runs): a place was freed, a truck joined or may now be
 * called, the gate reopened or its settings changed. Each wake is a hint, not the work: the dispatcher reads the
 * queue from PostgreSQL, and a round every 30 s catches whatever a lost wake missed.
 */
export async function wakeDispatchers(
  client: Client,
  taskQueue: string,
  gate: string,
  directions: readonly Direction[] = DIRECTIONS,
): Promise<void> {
  // A hint has a short budget: a Temporal server that does not answer must not hold up what caused the wake.
  await client.withDeadline(Date.now() + WAKE_BUDGET_MS, () =>
    Promise.all(
      directions.map((direction) =>
        client.workflow.signalWithStart('queueDispatcherWorkflow', {
          workflowId: dispatcherIdOf(gate, direction),
          taskQueue,
          args: [{ gate, direction } satisfies DispatcherInput],
          signal: DISPATCHER_WAKE_SIGNAL,
          signalArgs: [],
        }),
      ),
    ),
  );
}

const WAKE_BUDGET_MS = 3000;
