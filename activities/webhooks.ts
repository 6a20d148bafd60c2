import { CancelledFailure, Context, log } from '@temporalio/activity';
import type { Services } from '../infra/db/orm';
import type { DueDelivery } from '../infra/db/stores/webhooks';
import { signBody } from '../infra/body-signature';
import type { SecretSeal } from '../infra/secret-seal';
import type { WebhookPoster } from '../infra/webhook-post';
import type { Role } from '../domain/roles';
import { crossingDataFor, nextAttemptDelayMs, type WebhookBody, type WebhookDeliveryInput } from '../domain/webhooks';

/** Heads are fetched this many at a time, and sent this many at once (each to its own crossing's line). */
const ROUND_LIMIT = 64;
const AT_ONCE = 8;
/** A round takes no new head after this long, then hands back to its workflow (which continues as new when long). */
const ROUND_BUDGET_MS = 30_000;
/** The lease outlasts the budget by the longest attempt a round may still be in (WEBHOOK_ATTEMPT_TIMEOUT_MS ≤ 60 s). */
const ROUND_LEASE_SLACK_MS = 65_000;
/** With nothing due, a round waits this long for more (looking every POLL_MS) before it ends. */
const LINGER_MS = 2_000;
const POLL_MS = 100;

const sleep = (ms: number, cancelled: AbortSignal) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      cancelled.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    cancelled.addEventListener('abort', done, { once: true });
  });

export interface DeliveryRound {
  /** The subscription was deleted: its workflow ends. */
  gone: boolean;
  /** When the next event is due, as a wait from now by PostgreSQL's clock; null when nothing is pending. */
  dueInMs: number | null;
}

/**
 * One round of a subscription's deliveries (workflows/webhook-delivery.ts): the oldest pending event of each crossing
 * that is due is posted, signed, eight at a time, and again, until none is due; each attempt's outcome is written
 * before that crossing's next event is looked for. A round killed half-way loses nothing: what was not written is
 * pending still and is sent again (at least once; the receiver de-duplicates by `eventId`). A round given up by
 * Temporal (its heartbeat lost) stops posting at once, so it does not run on beside the round that replaces it.
 */
export function createWebhookDelivery(services: Services, opts: { seal: SecretSeal; poster: WebhookPoster; retryWindowMs: number }) {
  return {
    async deliverWebhooks({ subscriptionId }: WebhookDeliveryInput): Promise<DeliveryRound> {
      const store = services.stores().webhooks;
      const subscription = await store.find(subscriptionId);
      if (!subscription) return { gone: true, dueInMs: null };
      // A disabled owner hears nothing until enabled again; its events wait (the keeper wakes it then).
      if (subscription.ownerDisabled) return { gone: false, dueInMs: null };
      const secret = openSecret(opts.seal, subscription.secretSealed, subscriptionId);
      const cancelled = Context.current().cancellationSignal;
      const beat = setInterval(() => Context.current().heartbeat(), 2000);
      const session = opts.poster.session();
      const deadline = Date.now() + ROUND_BUDGET_MS;
      let more = false;
      const attempt = async (head: DueDelivery) => {
        const body = JSON.stringify(bodyOf(head, subscription.role));
        // A secret that does not open is every attempt's failure, logged as such, so the event still ends FAILED.
        const outcome = secret
          ? await session.post(
              subscription.url,
              body,
              { 'X-Event-Id': head.eventId, 'X-Signature': signBody(secret, body), 'User-Agent': 'border-gate-clearance-webhooks/1' },
              cancelled,
            )
          : { statusCode: null, error: 'not sent: the subscription secret does not open with WEBHOOK_SECRET_KEY', durationMs: 0 };
        if (cancelled.aborted) return;
        const delivered = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
        await store.recordAttempt(head.deliveryId, {
          ...outcome,
          delivered,
          retryInMs: nextAttemptDelayMs(head.attempts + 1),
          windowMs: opts.retryWindowMs,
        });
        // The subscription and the event by id only: a URL may carry a token, and the body is company data.
        if (!delivered) log.info('webhook attempt failed', { subscriptionId, eventId: head.eventId, error: outcome.error });
      };
      // The round's lease: while it lasts, the writes that give this subscription events do not wake its workflow
      // (each wake is a workflow task); the round finds their events itself.
      await store.leaseRound(subscriptionId, ROUND_BUDGET_MS + ROUND_LEASE_SLACK_MS);
      try {
        // Until nothing has been due for LINGER_MS, or the budget is spent: a crossing's next event is due as soon as
        // the one before it is delivered, and a busy gate's next crossing change comes within moments, so both are
        // sent in this round rather than a wake, a workflow task and an activity later.
        let idleSince = Date.now();
        while (!cancelled.aborted) {
          const heads = await store.dueHeads(subscriptionId, ROUND_LIMIT);
          if (heads.length === 0) {
            if (Date.now() - idleSince >= LINGER_MS || Date.now() > deadline) break;
            await sleep(POLL_MS, cancelled);
            continue;
          }
          more = !(await sendAll(heads, attempt, () => Date.now() > deadline || cancelled.aborted));
          if (more) break;
          idleSince = Date.now();
        }
      } finally {
        clearInterval(beat);
        session.close();
        // Given back before the last look below, so an event written meanwhile is either seen by it or wakes anew.
        await store.leaseRound(subscriptionId, null).catch(() => undefined);
      }
      if (cancelled.aborted) throw new CancelledFailure('the webhook round was cancelled');
      const dueInMs = more ? 0 : await store.nextDueInMs(subscriptionId);
      return { gone: false, dueInMs };
    },
  };
}

/**
 * Sends heads `AT_ONCE` at a time until they are all sent or `stop` says so; true when all were sent. Every lane
 * finishes its attempt before the first failure (a write refused, PostgreSQL away) is thrown, so none runs on beside
 * the round that retries this one.
 */
async function sendAll(heads: DueDelivery[], send: (head: DueDelivery) => Promise<void>, stop: () => boolean): Promise<boolean> {
  const queue = [...heads];
  const lanes = await Promise.allSettled(
    Array.from({ length: Math.min(AT_ONCE, queue.length) }, async () => {
      for (let head = queue.shift(); head && !stop(); head = queue.shift()) await send(head);
    }),
  );
  const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
  if (failed) throw failed.reason;
  return queue.length === 0;
}

function openSecret(seal: SecretSeal, sealed: string, subscriptionId: string): string | undefined {
  try {
    return seal.open(sealed);
  } catch {
    log.error('a webhook subscription secret does not open with WEBHOOK_SECRET_KEY; its events fail until it is made again', {
      subscriptionId,
    });
    return undefined;
  }
}

function bodyOf(head: DueDelivery, role: Role): WebhookBody {
  return {
    eventId: head.eventId,
    event: head.event,
    at: head.at,
    ...(head.crossingId ? { crossingId: head.crossingId } : {}),
    gate: head.gate,
    data: head.view ? crossingDataFor(role, head.view) : head.data,
  };
}
