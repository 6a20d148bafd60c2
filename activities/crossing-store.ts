import type { Client } from '@temporalio/client';
import { Context, log } from '@temporalio/activity';
import type { CrossingSnapshot } from '../domain/crossing-snapshot';
import type { Services } from '../infra/db/orm';
import type { Stores } from '../infra/db/stores';
import { driverLinkSms, newDriverLink } from '../infra/driver-links';
import { wakeDispatchers } from '../infra/queue-dispatchers';
import { wakeDeliveries } from '../infra/webhook-deliveries';

/**
 * Writes a crossing's snapshot with the stores given (inside the caller's transaction, when it has one). Returns the
 * deadline-policy stamp as of this write, so the crossing learns of a rule change in the same round trip, and the
 * webhook subscriptions it gave an event to. The write of the declaration also gives the driver a link, sent by SMS:
 * made here, never in the workflow, so the token stays out of the history (a retry makes another token, which the
 * store keeps only if none was kept yet).
 */
export async function writeSnapshot(
  stores: Stores,
  snapshot: CrossingSnapshot,
  publicUrl: string,
): Promise<{ policyStamp: string; webhookSubscriptions: string[] }> {
  const declared = snapshot.events.some((e) => e.type === 'DECLARATION_SUBMITTED');
  const { view } = snapshot;
  const link = declared ? newDriverLink(publicUrl) : undefined;
  // The SMS signs with the gate's name, as the queue's do (one more read, at declaration only).
  const gateName = link && (await stores.gates.gate(view.gate))?.name;
  return stores.readModel.record(
    snapshot,
    link && {
      tokenHash: link.tokenHash,
      sms: driverLinkSms(
        { id: view.id, gate: view.gate, gateName, plate: view.declaration.vehicle.plate, driver: view.declaration.driver },
        link.url,
        new Date(snapshot.submission.at),
      ),
    },
  );
}

/** After a snapshot's write has committed: the hints it owes the queue's dispatcher and the webhook deliveries. */
export function wakeAfterWrite(temporal: Client, snapshot: CrossingSnapshot, webhookSubscriptions: string[]): void {
  wakeQueue(temporal, snapshot);
  wakeSubscriptions(temporal, webhookSubscriptions);
}

/** The crossing's read model, history and audit (infra/db/stores/read-model.ts), written after every change. */
export function createCrossingStore(services: Services, temporal: Client, publicUrl: string) {
  return {
    /** The write of crossings begun before one call per change (activities/crossing-work.ts); their histories name it. */
    async recordCrossing(snapshot: CrossingSnapshot): Promise<{ policyStamp: string }> {
      const recorded = await writeSnapshot(services.stores(), snapshot, publicUrl);
      wakeAfterWrite(temporal, snapshot, recorded.webhookSubscriptions);
      return { policyStamp: recorded.policyStamp };
    },

    async recordIncident(snapshot: Pick<CrossingSnapshot, 'view' | 'declarantAccountId'>): Promise<void> {
      await services.stores().readModel.recordIncident(snapshot);
    },
  };
}

/**
 * A write that may let the gate's dispatcher call someone wakes it: a truck joined, or its form stands again (its
 * direction's dispatcher), or it left the queue (ended: its place is free to either direction, which share the yards).
 * Only a hint, and not waited for: when it fails the dispatcher's next round (30 s at most) finds the same, and the
 * crossing's write, which is what matters, has already succeeded.
 */
function wakeQueue(temporal: Client, { view, events }: CrossingSnapshot): void {
  if (!view.queue) return;
  const left = events.some((e) => e.type === 'ENDED');
  const callable = events.some((e) => e.type === 'QUEUE_JOINED' || e.type === 'DECLARATION_RESUBMITTED');
  if (!left && !callable) return;
  const taskQueue = Context.current().info.taskQueue;
  wakeDispatchers(temporal, taskQueue, view.gate, left ? undefined : [view.direction]).catch((err) =>
    log.warn('could not wake the queue dispatcher; its next round will find the change', { gate: view.gate, error: String(err) }),
  );
}

/**
 * The subscriptions this write gave an event to: their delivery workflows are woken (started when none runs). Also a
 * hint only: the events are in PostgreSQL already, and the worker's keeper wakes every subscription with something
 * pending each minute.
 */
function wakeSubscriptions(temporal: Client, subscriptionIds: string[]): void {
  if (subscriptionIds.length === 0) return;
  const taskQueue = Context.current().info.taskQueue;
  wakeDeliveries(temporal, taskQueue, subscriptionIds).catch((err) =>
    log.warn('could not wake webhook deliveries; the keeper will', { subscriptions: subscriptionIds.length, error: String(err) }),
  );
}
