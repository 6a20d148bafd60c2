import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { percentile, type client } from './http';

type Call = ReturnType<typeof client>;

const CROSSING_EVENTS = ['crossing.declared', 'crossing.step_waiting', 'crossing.decided', 'crossing.returned', 'crossing.ended'];

export interface SubscriberStats {
  subscribers: number;
  deadSubscribers: number;
  /** Deliveries received by the live receivers (copies included), and distinct (subscription, event) pairs. */
  received: number;
  unique: number;
  /** From the event's time (its history line) to its arrival at a live receiver. */
  eventToReceiptMs: { p50: number; p95: number; p99: number; max: number };
  /** Left unreceived by the live receivers when the run ended and 30 s more had passed. */
  undeliveredAtEnd: number;
}

/**
 * `npm run bench -- --subscribers N [--dead-subscribers D]`: the bench's declarant subscribes N receivers (in this
 * process, answering 204 at once) and D receivers that accept and never answer, each to every crossing event, before
 * the closed loop starts; the decision latency of the run is then the figure with N subscribers attached. Reported
 * beside it: how long events took to reach the live receivers, and whether any was left undelivered.
 */
export class Subscribers {
  private readonly arrivals: number[] = [];
  private readonly seen = new Set<string>();
  private received = 0;
  private constructor(
    private readonly live: http.Server,
    private readonly dead: http.Server,
    private readonly ids: { live: string[]; dead: string[] },
  ) {}

  static async setUp(call: Call, declarantToken: string, n: number, deadN: number): Promise<Subscribers> {
    const subscribers = new Subscribers(http.createServer(), http.createServer(), { live: [], dead: [] });
    subscribers.live.on('request', (req, res) => subscribers.take(req, res));
    // Accepts, reads, never answers: the platform gives up on each attempt at its time limit.
    subscribers.dead.on('request', (req) => req.resume());
    const port = async (server: http.Server) => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return (server.address() as AddressInfo).port;
    };
    const livePort = await port(subscribers.live);
    const deadPort = await port(subscribers.dead);
    const subscribe = async (url: string) => {
      const res = await call('POST', '/v1/webhooks', { token: declarantToken, body: { url, events: CROSSING_EVENTS } });
      if (res.status !== 201) throw new Error(`subscribing failed: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body.id as string;
    };
    for (let i = 0; i < n; i++) subscribers.ids.live.push(await subscribe(`http://127.0.0.1:${livePort}/hooks/${i}`));
    for (let i = 0; i < deadN; i++) subscribers.ids.dead.push(await subscribe(`http://127.0.0.1:${deadPort}/hooks/${i}`));
    return subscribers;
  }

  private take(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      this.received++;
      const key = `${req.url} ${String(req.headers['x-event-id'])}`;
      if (!this.seen.has(key)) {
        this.seen.add(key);
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { at: string };
        this.arrivals.push(Date.now() - Date.parse(body.at));
      }
      res.writeHead(204).end();
    });
  }

  /** Waits up to 30 s for the live receivers to have every event their logs list, then stops the receivers. */
  async stop(call: Call, declarantToken: string): Promise<SubscriberStats> {
    const pendingOf = async () => {
      let pending = 0;
      for (const id of this.ids.live) {
        const log = await call('GET', `/v1/webhooks/${id}/deliveries?status=PENDING&limit=500`, { token: declarantToken });
        pending += Array.isArray(log.body) ? log.body.length : 0;
      }
      return pending;
    };
    let undelivered = await pendingOf();
    for (const deadline = Date.now() + 30_000; undelivered > 0 && Date.now() < deadline; undelivered = await pendingOf()) {
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const id of [...this.ids.live, ...this.ids.dead]) await call('DELETE', `/v1/webhooks/${id}`, { token: declarantToken });
    this.live.closeAllConnections();
    this.dead.closeAllConnections();
    this.live.close();
    this.dead.close();
    return {
      subscribers: this.ids.live.length,
      deadSubscribers: this.ids.dead.length,
      received: this.received,
      unique: this.seen.size,
      eventToReceiptMs: {
        p50: Math.round(percentile(this.arrivals, 50)),
        p95: Math.round(percentile(this.arrivals, 95)),
        p99: Math.round(percentile(this.arrivals, 99)),
        max: Math.round(Math.max(0, ...this.arrivals)),
      },
      undeliveredAtEnd: undelivered,
    };
  }
}
