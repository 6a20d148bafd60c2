import { condition, continueAsNew, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { DispatcherInput } from '../domain/queue';
import { dispatcherWakeSignal } from './messages';

// One round is two or three short PostgreSQL statements and a signal per truck told; as a local activity it runs
// inside the workflow task, so a freed place calls the next truck in one task. Retried for as long as PostgreSQL is
// away: nothing is lost meanwhile (the queue is in PostgreSQL), and the round resumes when it is back.
const { dispatchQueue } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '500 milliseconds', maximumInterval: '10 seconds', backoffCoefficient: 2 },
  localRetryThreshold: '5 seconds',
});

/** Without a wake, a round every 30 s: it catches a lost wake and an arrival deadline that moved. */
const IDLE_ROUND_MS = 30_000;
/** Told crossings are left over (more than a round tells, or a signal failed): the next round soon. */
const PENDING_ROUND_MS = 500;
/** A deadline already past is handled in the next round; rounds never come closer than this. */
const MIN_ROUND_MS = 100;
/**
 * Each run's history stays short: a new run takes over after this many events. Short, because a continue-as-new that
 * meets a wake arriving at that moment is refused, and the worker then replays the whole run before trying again:
 * 4,000 events took 2–5 s of the worker's workflow thread while trucks joined at 15 a second (`npm run bench:queue`).
 */
const HISTORY_EVENTS_PER_RUN = 1_000;

/**
 * The dispatcher of one gate's queue in one direction. It keeps no entry in memory and no order in its history: each
 * round reads the queue from PostgreSQL, calls what the yards have room for, applies no-shows and the longest wait in
 * one transaction there (infra/db/stores/queue.ts), then tells the crossings. Its history is a round's few events,
 * and it continues as new before it grows long, so its cost does not grow with the trucks ever queued.
 *
 * Exactly once: a truck is called by the transaction that moves its entry from waiting to CALLED, under the gate's
 * lock, so a round repeated after a crash finds it called already; the crossing is told by number (`seq`), at least
 * once, and keeps only what is newer. A round sleeps until a wake (a place freed, a truck joined, the gate reopened),
 * the next arrival deadline, or 30 s.
 */
export async function queueDispatcherWorkflow(input: DispatcherInput): Promise<void> {
  let woken = false;
  setHandler(dispatcherWakeSignal, () => {
    woken = true;
  });
  while (workflowInfo().historyLength < HISTORY_EVENTS_PER_RUN && !workflowInfo().continueAsNewSuggested) {
    woken = false;
    const round = await dispatchQueue(input);
    // A gate that keeps no queue needs no dispatcher once nothing is left to tell: it ends, and a wake starts it
    // again if the gate takes one.
    if (!round.keepsQueue && !round.pending && !woken) return;
    // Due times come from PostgreSQL's clock (the one that set them), as a wait from now: no two clocks compared.
    const wait = round.pending
      ? PENDING_ROUND_MS
      : round.dueInMs !== null
        ? Math.min(IDLE_ROUND_MS, Math.max(MIN_ROUND_MS, round.dueInMs + 50))
        : IDLE_ROUND_MS;
    await condition(() => woken, wait);
  }
  await continueAsNew<typeof queueDispatcherWorkflow>(input);
}
