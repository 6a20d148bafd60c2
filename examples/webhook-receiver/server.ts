/**
 * A webhook receiver for the clearance platform's events, as a partner authority's or a company's system would run
 * one. Node's standard library only, so the idea can be copied into any stack:
 *
 *   WEBHOOK_SECRET=whsec_… node --import tsx examples/webhook-receiver/server.ts [port] [events.jsonl]
 *
 * 1. Verify: `X-Signature` is `sha256=<hex HMAC-SHA256 of the raw body with the subscription's secret>`. Check it over
 *    the bytes received, before parsing, in constant time; refuse with 401 when it does not match.
 * 2. De-duplicate: the platform delivers at least once, so the same event may come twice (a lost answer, a worker
 *    restarted mid-delivery). Keep the `eventId`s already handled, durably (here: a JSON-lines file, read back at
 *    start), and answer a repeat 200 without handling it again.
 * 3. Answer fast, with a 2xx only once the event is stored: anything else (or no answer within the platform's time
 *    limit) is tried again later, and the crossing's later events wait behind it.
 *
 * Events of one crossing arrive in order. Each stored line is the event's body as sent.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

const secret = process.env.WEBHOOK_SECRET;
if (!secret) {
  process.stderr.write('set WEBHOOK_SECRET to the secret shown when the subscription was made\n');
  process.exit(2);
}
const port = Number(process.argv[2] ?? 8080);
const file = process.argv[3] ?? 'events.jsonl';

const seen = new Set<string>();
if (fs.existsSync(file)) {
  for (const line of fs.readFileSync(file, 'utf8').split('\n').filter(Boolean)) seen.add((JSON.parse(line) as { eventId: string }).eventId);
}

function signatureMatches(raw: Buffer, given: string | undefined): boolean {
  const expected = Buffer.from(`sha256=${createHmac('sha256', secret!).update(raw).digest('hex')}`);
  const actual = Buffer.from(given ?? '');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const raw = Buffer.concat(chunks);
    if (req.method !== 'POST' || !signatureMatches(raw, req.headers['x-signature'] as string | undefined)) {
      res.writeHead(401).end();
      return;
    }
    const event = JSON.parse(raw.toString('utf8')) as { eventId: string; event: string; crossingId?: string; gate: string };
    if (seen.has(event.eventId)) {
      res.writeHead(200).end(); // a repeat: handled already
      return;
    }
    // Stored (and flushed) before the 2xx: once answered, the platform will not send it again.
    fs.appendFileSync(file, `${raw.toString('utf8')}\n`);
    seen.add(event.eventId);
    process.stdout.write(`${event.event} ${event.crossingId ?? event.gate}\n`);
    res.writeHead(204).end();
  });
});
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks\n`);
});
