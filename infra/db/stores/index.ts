import type { EntityManager } from '@mikro-orm/postgresql';
import { AccountStore } from './accounts';
import { AuditTrail } from './audit-trail';
import { DeadlinePolicyStore } from './deadline-policies';
import { DeviceStore } from './devices';
import { DocumentStore } from './documents';
import { EscalationStore } from './escalations';
import { FeeLedger } from './fee-ledger';
import { GateMeasureStore } from './gate-measures';
import { GateReadStore } from './gate-reads';
import { GateStore } from './gates';
import { IdempotencyStore } from './idempotency';
import { LoginFailureStore } from './login-failures';
import { NotificationStore } from './notifications';
import { QueueStore } from './queue';
import { CrossingReadModel } from './read-model';
import { RequestOpening } from './request-opening';
import { TrackingStore } from './tracking';
import { TrafficStore } from './traffic';
import { TransshipmentBookingStore } from './transshipment-bookings';
import { WebhookStore } from './webhooks';
import { WorkerHeartbeatStore } from './worker-heartbeats';

/**
 * The stores: every table the API, the worker and the activities use, each group behind one class, over one
 * EntityManager fork (per request, per activity; never the global one). `Services.stores()` makes a set over a fresh
 * fork; `storesOver(tx)` a set inside a transaction.
 */
export function storesOver(em: EntityManager) {
  const gates = new GateStore(em);
  return {
    em,
    readModel: new CrossingReadModel(em),
    fees: new FeeLedger(em, gates),
    deadlinePolicies: new DeadlinePolicyStore(em),
    idempotency: new IdempotencyStore(em),
    gates,
    measures: new GateMeasureStore(em),
    devices: new DeviceStore(em),
    gateReads: new GateReadStore(em),
    queue: new QueueStore(em),
    documents: new DocumentStore(em),
    transshipmentBookings: new TransshipmentBookingStore(em),
    escalations: new EscalationStore(em),
    audit: new AuditTrail(em),
    accounts: new AccountStore(em),
    opening: new RequestOpening(em),
    loginFailures: new LoginFailureStore(em),
    workerHeartbeats: new WorkerHeartbeatStore(em),
    notifications: new NotificationStore(em),
    tracking: new TrackingStore(em),
    traffic: new TrafficStore(em),
    webhooks: new WebhookStore(em),
  };
}

export type Stores = ReturnType<typeof storesOver>;
