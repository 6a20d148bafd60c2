import { condition, proxyActivities, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import type { Activities } from '../activities';
import { CrossingState, type CrossingStart } from './crossing-state';
import { submitDeclarationUpdate, viewQuery } from './messages';
import { CROSSING_CATEGORY, CROSSING_STATUS, CROSSING_STEP, GATE_CODE } from './search-attributes';

const { recordCrossing } = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** One truck crossing one gate: durable from the declaration to the gate pass. */
export async function crossingWorkflow(start: CrossingStart): Promise<void> {
  const crossing = new CrossingState(start);

  setHandler(viewQuery, () => crossing.view());
  setHandler(
    submitDeclarationUpdate,
    async ({ declaration, actor }) => {
      crossing.submitDeclaration(declaration, actor, new Date());
      await publish();
      return crossing.view();
    },
    {
      validator: (_submission) => {
        if (crossing.submitted) throw new Error('the declaration was already submitted; resubmit with PUT');
      },
    },
  );

  /** Keeps the read model and the operators' search attributes in step with the state. */
  async function publish(): Promise<void> {
    const view = crossing.view();
    upsertSearchAttributes([
      { key: CROSSING_STATUS, value: view.status },
      { key: CROSSING_STEP, value: view.currentStep ?? 'none' },
      { key: GATE_CODE, value: view.gate },
      { key: CROSSING_CATEGORY, value: view.category },
    ]);
    await recordCrossing({ view, declarantAccountId: crossing.declarantAccountId });
  }

  // The lifecycle past the first waiting step is the next piece of work; until then a crossing waits here.
  await condition(() => crossing.status !== 'IN_PROGRESS');
}
