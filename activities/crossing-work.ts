import type { Client } from '@temporalio/client';
import type { CrossingWork, SideEffect, WorkOutcomes } from '../domain/crossing-work';
import { withOutcomes } from '../domain/crossing-work';
import type { Services } from '../infra/db/orm';
import { storesOver, type Stores } from '../infra/db/stores';
import type { GatePassSigner } from '../infra/gate-pass-signature';
import { wakeAfterWrite, writeSnapshot } from './crossing-store';
import { createDocuments, type DocumentRequest } from './documents/issue';
import { loadDeadlinePolicies } from './deadline-policy';
import { recordEscalation } from './escalations';
import { permanent } from './failures';
import { issueInvoice } from './fees';
import { reserveYardPlace } from './yard';

/**
 * A crossing's change carried out in one local activity (workflows/crossing.ts `carryOutAtOnce`): its side effects in
 * order, then the read model, history and audit, all in one transaction. A failure leaves nothing half done, and the
 * workflow keeps all of the work pending (an incident, when retrying cannot cure it); every part is idempotent, so a
 * retried call, or one run again after a worker crash lost its result, does nothing twice.
 *
 * PDFs are rendered first, outside the transaction (about 30 ms each, no lock held meanwhile), from the view being
 * written; a document already stored at that issue is not rendered again. A crossing's first change reads its deadline
 * policies here too, and arms its first step by them (domain/crossing-work.ts `withOutcomes`).
 */
export function createCrossingWork(services: Services, temporal: Client, opts: { publicUrl: string; signer: GatePassSigner }) {
  const documents = createDocuments(services, opts);

  return {
    async settleCrossing(work: CrossingWork): Promise<{ outcomes: WorkOutcomes; policyStamp: string }> {
      const view = work.snapshot.view;
      const outside = services.stores();
      const rendered = new Map<SideEffect, Awaited<ReturnType<typeof documents.render>>>();
      for (const effect of work.effects) {
        const request = documentOf(effect, view);
        if (request) rendered.set(effect, await documents.render(outside, request));
      }
      const read = work.readPoliciesFor;
      const policies = read && (await loadDeadlinePolicies(outside, view.gate, view.category));
      if (policies && !policies.steps[read]) throw permanent(`no deadline policy for ${read}; every step has a built-in default`);
      const { outcomes, snapshot, recorded } = await services.em.fork().transactional(async (tx) => {
        const stores = storesOver(tx);
        // The write appends to the audit chain after the queue entry is locked: the chain's lock comes first.
        if (work.effects.some((e) => e.kind === 'RECORD_QUEUE_ARRIVAL')) await stores.audit.lockChain();
        const outcomes: WorkOutcomes = policies ? { policies, armed: read } : {};
        for (const effect of work.effects) {
          const document = rendered.get(effect);
          if (document) await stores.documents.save(document);
          else await carryOut(stores, work, effect, outcomes);
        }
        const snapshot = withOutcomes(work.snapshot, outcomes);
        return { outcomes, snapshot, recorded: await writeSnapshot(stores, snapshot, opts.publicUrl) };
      });
      wakeAfterWrite(temporal, snapshot, recorded.webhookSubscriptions);
      return { outcomes, policyStamp: recorded.policyStamp };
    },
  };
}

/** The document an effect issues, if it issues one. */
function documentOf(effect: SideEffect, view: CrossingWork['snapshot']['view']): DocumentRequest | undefined {
  if (effect.kind === 'ISSUE_DOCUMENT') return { kind: effect.document, view, seq: effect.seq };
  if (effect.kind === 'UNDO' && effect.action === 'ISSUE_TURN_BACK_ORDER') return { kind: 'turn-back-order', view, seq: 1 };
  return undefined;
}

async function carryOut(stores: Stores, work: CrossingWork, effect: SideEffect, outcomes: WorkOutcomes): Promise<void> {
  const ref = { crossingId: work.crossingId, gate: work.gate };
  switch (effect.kind) {
    case 'RESERVE_YARD_PLACE':
      outcomes.yardCode = await reserveYardPlace(stores, ref);
      return;
    case 'RELEASE_YARD_PLACE':
      return stores.gates.releaseYardPlace(work.crossingId);
    case 'BOOK_TRANSSHIPMENT':
      return stores.transshipmentBookings.book({ ...ref, yardCode: effect.yardCode, toVehicle: effect.toVehicle });
    case 'ESCALATE_OVERDUE':
      return recordEscalation(stores, { ...ref, step: effect.step, slaAt: effect.slaAt });
    case 'RECORD_DIRECT_PAYMENT':
      return stores.fees.recordDirectPayment(work.crossingId, effect.receiptNo, work.at);
    case 'RECORD_ONLINE_PAYMENT':
      return stores.fees.markInvoicePaid(work.crossingId, work.at);
    case 'ISSUE_INVOICE': {
      const { declaration, category } = work.snapshot.view;
      const invoice = await issueInvoice(stores, ref, declaration, category);
      outcomes.invoice = { amountVnd: invoice.amountVnd, collector: invoice.collector };
      return;
    }
    case 'RECORD_QUEUE_ARRIVAL':
      return stores.queue.arrived(work.crossingId, work.gate);
    case 'ISSUE_DOCUMENT':
      return; // stored already, or saved from its rendering
    case 'UNDO':
      switch (effect.action) {
        case 'RELEASE_YARD_PLACE':
          return stores.gates.releaseYardPlace(work.crossingId);
        case 'CANCEL_TRANSSHIPMENT_BOOKING':
          return stores.transshipmentBookings.cancel(work.crossingId);
        case 'REFUND_FEE':
          return stores.fees.refund(work.crossingId);
        case 'ISSUE_TURN_BACK_ORDER':
          return;
      }
  }
}
