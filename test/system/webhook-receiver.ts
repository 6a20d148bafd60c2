import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { bodySignatureMatches } from '../../infra/body-signature';

export interface Received {
  eventId: string;
  signature: string | undefined;
  raw: string;
  body: { eventId: string; event: string; at: string; crossingId?: string; gate: string; data: any };
}

/**
 * A subscriber's receiver on 127.0.0.1, as a company or partner would run one: it records every request, and answers
 * as the test tells it: 2xx, an error status for the next requests, nothing at all (a receiver that hangs), or it
 * goes down (its port refuses connections) for a while and comes back on the same port.
 */
export class TestReceiver {
  readonly requests: Received[] = [];
  /** Answers the next requests with this status, then 204. */
  private failures: number[] = [];
  /** Decides an answer per request; `hang` holds the request open and never answers. */
  answer: (r: Received) => number | 'hang' = () => 204;
  private server!: http.Server;
  private sockets = new Set<import('node:net').Socket>();
  private port = 0;
  private arrivals: (() => void)[] = [];

  static async start(): Promise<TestReceiver> {
    const receiver = new TestReceiver();
    await receiver.listen();
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks`;
  }

  failNext(...statuses: number[]): void {
    this.failures.push(...statuses);
  }

  /** Goes down for `ms`: its port refuses connections, then it listens on the same port again. */
  async downFor(ms: number): Promise<void> {
    await this.close();
    setTimeout(() => void this.listen(), ms);
  }

  /** The events received, each once (the first copy), as a receiver de-duplicating by eventId keeps them. */
  unique(): Received[] {
    const seen = new Set<string>();
    return this.requests.filter((r) => !seen.has(r.eventId) && seen.add(r.eventId));
  }

  signedWith(secret: string): boolean {
    return this.requests.every((r) => bodySignatureMatches(secret, r.raw, r.signature));
  }

  /** Resolves once `until` holds of what has been received, or fails after `timeoutMs`. */
  async waitFor(until: (received: Received[]) => boolean, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!until(this.requests)) {
      if (Date.now() > deadline) throw new Error(`the receiver did not get what was awaited; it has ${this.requests.length} requests`);
      await new Promise<void>((resolve) => {
        this.arrivals.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private listen(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const received: Received = {
          eventId: String(req.headers['x-event-id']),
          signature: req.headers['x-signature'] as string | undefined,
          raw,
          body: JSON.parse(raw),
        };
        this.requests.push(received);
        this.arrivals.splice(0).forEach((wake) => wake());
        const status = this.failures.length ? this.failures.shift()! : this.answer(received);
        if (status === 'hang') return;
        res.writeHead(status).end();
      });
    });
    this.server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return new Promise((resolve) =>
      this.server.listen(this.port, '127.0.0.1', () => {
        this.port = (this.server.address() as AddressInfo).port;
        resolve();
      }),
    );
  }
}
