import type { Client } from '@temporalio/client';
import { Context, log } from '@temporalio/activity';
import { ENDED_STATUSES } from '../domain/crossing-view';
import type { CrossingSnapshot } from '../domain/crossing-snapshot';
import type { Services } from '../infra/db/orm';
import { wakeDispatchers } from '../infra/queue-dispatchers';

/** The crossing's read model, history and audit (infra/db/stores/read-model.ts), written after every change. */
export function createCrossingStore(services: Services, temporal: Client) {
  return {
    /** Returns the deadline-policy stamp as of this write, so the crossing learns of a rule change in the same round trip. */
    async recordCrossing(snapshot: CrossingSnapshot): Promise<{ policyStamp: string }> {
      const recorded = await services.stores().readModel.record(snapshot);
      await wakeQueue(temporal, snapshot);
      return recorded;
    },

    async recordIncident(snapshot: Pick<CrossingSnapshot, 'view' | 'declarantAccountId'>): Promise<void> {
      await services.stores().readModel.recordIncident(snapshot);
    },
  };
}

/**
 * A write that may let the gate's dispatcher call someone wakes it: a truck joined, its form stands again, or it left
 * the queue (its place is free). Only a hint: when it fails the dispatcher's next round (30 s at most) finds the same.
 */
async function wakeQueue(temporal: Client, { view, events }: CrossingSnapshot): Promise<void> {
  if (!view.queue) return;
  const wakes = events.some(
    (e) =>
      e.type === 'QUEUE_JOINED' ||
      e.type === 'DECLARATION_RESUBMITTED' ||
      (e.type === 'ENDED' && ENDED_STATUSES.includes(view.status)) ||
      e.type === 'QUEUE_ARRIVED',
  );
  if (!wakes) return;
  try {
    await wakeDispatchers(temporal, Context.current().info.taskQueue, view.gate, [view.direction]);
  } catch (err) {
    log.warn('could not wake the queue dispatcher; its next round will find the change', { gate: view.gate, error: String(err) });
  }
}
