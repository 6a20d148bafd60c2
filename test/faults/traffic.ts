import { randomUUID } from 'node:crypto';
import { declaration } from '../system/fixtures';
import { RUBBER } from '../system/crossing-flow';

/**
 * The clients of the fault suite: every call timed and recorded, and every change sent as API.md tells clients to
 * send one: with an Idempotency-Key, again with the same key after no answer (a process restarting), a 503 or a 409
 * for a request still running, until the real answer comes.
 */
export interface Answer {
  at: number;
  ms: number;
  /** The HTTP status, or 0 when no answer came (connection refused while a process restarts). */
  status: number;
  what: string;
  /** A 409 saying a request with this key is still being processed. */
  stillProcessing: boolean;
  /** The dependency a problem answer names as down (`dependency` in a 503's body), if any. */
  dependency?: string;
}

/** A call slower than this is a hang: the client gives up and the suite fails. */
export const HANG_MS = 15_000;
/** How long a client keeps retrying one change before it calls the crossing lost. */
const GIVE_UP_MS = 180_000;

interface Reply {
  status: number;
  body: any;
  retryAfter: number | null;
}

export class Traffic {
  readonly answers: Answer[] = [];
  private stopped = false;

  constructor(readonly baseUrl: string) {}

  /** Ends the traffic: no change is retried again, and each truck stops driving after its current call. */
  stop(): void {
    this.stopped = true;
  }

  get stopping(): boolean {
    return this.stopped;
  }

  async call(
    method: string,
    path: string,
    opts: { token?: string; body?: unknown; key?: string; what: string },
  ): Promise<Reply | undefined> {
    const started = Date.now();
    try {
      const res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
          ...(opts.key ? { 'idempotency-key': opts.key } : {}),
        },
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: AbortSignal.timeout(HANG_MS + 5000),
      });
      const text = await res.text();
      let body: any = text;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        // not JSON
      }
      const stillProcessing = res.status === 409 && /still being processed/.test(body?.detail ?? '');
      const dependency = typeof body?.dependency === 'string' ? body.dependency : undefined;
      this.answers.push({ at: started, ms: Date.now() - started, status: res.status, what: opts.what, stillProcessing, dependency });
      const retryAfter = res.headers.get('retry-after');
      return { status: res.status, body, retryAfter: retryAfter === null ? null : Number(retryAfter) };
    } catch (err) {
      const timedOut = (err as Error).name === 'TimeoutError';
      // A timeout is recorded as an answer slower than the bound (the suite fails on it); a refused connection is none.
      this.answers.push({ at: started, ms: Date.now() - started, status: timedOut ? 599 : 0, what: opts.what, stillProcessing: false });
      return undefined;
    }
  }

  /** A change, retried with the same key until it has a real answer (or GIVE_UP_MS passes: `undefined`). */
  async change(method: string, path: string, opts: { token: string; body?: unknown; what: string }): Promise<Reply | undefined> {
    const key = randomUUID();
    const deadline = Date.now() + GIVE_UP_MS;
    while (Date.now() < deadline && !this.stopped) {
      const reply = await this.call(method, path, { ...opts, key });
      const again = !reply || reply.status === 503 || (reply.status === 409 && reply.retryAfter !== null);
      if (!again) return reply;
      await new Promise((r) => setTimeout(r, Math.min(reply?.retryAfter ?? 1, 2) * 1000 * (0.5 + Math.random())));
    }
    return undefined;
  }
}

export interface Staff {
  company: string;
  health: string;
  guard: string;
  customs: string;
  fees: string;
}

const STEPS: [step: string, who: keyof Staff][] = [
  ['health-check', 'health'],
  ['border-entry', 'guard'],
  ['customs-inspection', 'customs'],
  ['fee-payment', 'fees'],
  ['border-exit', 'guard'],
];

export interface Truck {
  id?: string;
  plate: string;
  /** What the client last heard of its crossing. */
  status?: string;
  error?: string;
}

/**
 * One truck, driven from declaration to clearance like a company and the officers at the gate would: declare, then
 * each step decided in turn with a pause between (so a fault lands on crossings at every stage). After a 409 it reads
 * where its crossing stands and goes on from there.
 */
export async function drive(traffic: Traffic, staff: Staff, truck: Truck, pauseMs: () => number): Promise<void> {
  const declared = await traffic.change('POST', '/v1/crossings', {
    token: staff.company,
    body: declaration({ goods: [RUBBER], containers: [], vehicle: { plate: truck.plate, country: 'VN', grossWeightKg: 30000 } }),
    what: 'declare',
  });
  if (!declared || declared.status !== 201) {
    truck.error = `declare answered ${declared?.status ?? 'nothing'}`;
    return;
  }
  truck.id = declared.body.id;
  truck.status = declared.body.status;
  let next = 0;
  while (next < STEPS.length) {
    await new Promise((r) => setTimeout(r, pauseMs()));
    if (traffic.stopping) {
      truck.error = 'the traffic was stopped (the fault test failed)';
      return;
    }
    const [step, who] = STEPS[next];
    const body = step === 'fee-payment' ? { outcome: 'APPROVE', receiptNo: `R-${randomUUID().slice(0, 8)}` } : { outcome: 'APPROVE' };
    const reply = await traffic.change('POST', `/v1/crossings/${truck.id}/steps/${step}/decision`, {
      token: staff[who],
      body,
      what: 'decide',
    });
    if (reply?.status === 200) {
      truck.status = reply.body.status;
      next++;
      continue;
    }
    if (reply?.status !== 409) {
      truck.error = `${step} answered ${reply?.status ?? 'nothing'}: ${JSON.stringify(reply?.body).slice(0, 200)}`;
      return;
    }
    // Decided already (by a retry whose answer was lost, or another officer): go on from where it stands.
    const view = await traffic.call('GET', `/v1/crossings/${truck.id}`, { token: staff.company, what: 'read' });
    if (view?.status !== 200) continue;
    truck.status = view.body.status;
    if (view.body.currentStep === null) return;
    next = STEPS.findIndex(([s]) => s === view.body.currentStep);
    if (next < 0) {
      truck.error = `waiting at ${view.body.currentStep}, which this client does not decide`;
      return;
    }
  }
}
