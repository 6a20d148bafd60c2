import type { EntityManager } from '@mikro-orm/postgresql';
import { DeadlinePolicyStore } from './deadline-policies';
import { DocumentStore } from './documents';
import { FeeLedger } from './fee-ledger';
import { GateMeasureStore } from './gate-measures';
import { GateStore } from './gates';
import { IdempotencyStore } from './idempotency';
import { CrossingReadModel } from './read-model';

/**
 * The stores: every table the API and the activities share, each behind one class, over one EntityManager fork (per
 * request, per activity; never the global one). `Services.stores()` makes a set.
 */
export function storesOver(em: EntityManager) {
  return {
    em,
    readModel: new CrossingReadModel(em),
    fees: new FeeLedger(em),
    deadlinePolicies: new DeadlinePolicyStore(em),
    idempotency: new IdempotencyStore(em),
    gates: new GateStore(em),
    measures: new GateMeasureStore(em),
    documents: new DocumentStore(em),
  };
}

export type Stores = ReturnType<typeof storesOver>;
