import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import ipaddr from 'ipaddr.js';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

/**
 * Where webhooks may go. In production only https, and never to a private, loopback, link-local or other non-public
 * address unless the operator allows it (WEBHOOK_ALLOW_PRIVATE, or the ranges in WEBHOOK_ALLOW_ADDRESSES): a
 * subscription's URL is a company's input, and the worker sits inside the platform's network. Outside production,
 * http and loopback receivers are allowed, for development.
 */
export interface TargetPolicy {
  httpsOnly: boolean;
  allowPrivate: boolean;
  /** Addresses allowed even when private (exact addresses: the agents match no ranges). */
  allowAddresses: string[];
}

export function targetPolicyOf(config: {
  production: boolean;
  webhookAllowPrivate: boolean;
  webhookAllowAddresses: string[];
}): TargetPolicy {
  return {
    httpsOnly: config.production,
    allowPrivate: !config.production || config.webhookAllowPrivate,
    allowAddresses: config.webhookAllowAddresses,
  };
}

/**
 * What can be said of a URL when it is subscribed: its scheme, credentials, and a host that is `localhost` or literally
 * an address the policy refuses. A name is resolved only when delivering, and the address then connected to is
 * checked (a name that resolves to a private address, or changes to one later, is refused then): see `WebhookPoster`.
 */
export function refusedTarget(url: URL, policy: TargetPolicy): string | undefined {
  const host = url.hostname;
  if (!policy.allowPrivate && (host === 'localhost' || host.endsWith('.localhost'))) return 'must not point at this machine';
  return refusedUrl(url, policy);
}

/** The checks that need no name resolved: scheme, credentials, a literal address. */
function refusedUrl(url: URL, policy: TargetPolicy): string | undefined {
  if (url.protocol !== 'https:' && (policy.httpsOnly || url.protocol !== 'http:')) {
    return policy.httpsOnly ? 'must be an https URL' : 'must be an http or https URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivate && net.isIP(host) && refusedAddress(host, policy)) {
    return 'must not point at a private, loopback or link-local address';
  }
  return undefined;
}

/** The agents' own rule (request-filtering-agent): only unicast addresses, unless the address is allowed by name. */
function refusedAddress(address: string, policy: TargetPolicy): boolean {
  const parsed = ipaddr.parse(address);
  const listed = policy.allowAddresses.some((entry) => ipaddr.parse(entry).toString() === parsed.toString());
  return !listed && parsed.range() !== 'unicast';
}

const agentOptions = (policy: TargetPolicy) => ({
  allowPrivateIPAddress: policy.allowPrivate,
  allowIPAddressList: policy.allowAddresses,
});

export interface AttemptOutcome {
  /** The receiver's status code; null when it gave none (refused, unreachable, timed out). */
  statusCode: number | null;
  /** Why it did not take the event, in a few words; null on a 2xx. */
  error: string | null;
  durationMs: number;
}

/**
 * Posts signed bodies within `timeoutMs` each, from the request's start to the last byte of the answer. A session's
 * agents check every address actually connected to (after resolving the name, so a name that resolves to a private
 * address, or changes to one, is refused). Redirects are not followed: a 3xx is a failed attempt. At most 64 kB of an
 * answer is read.
 */
export class WebhookPoster {
  constructor(
    private readonly policy: TargetPolicy,
    private readonly timeoutMs: number,
  ) {}

  /**
   * Agents for one round of one subscription: its sockets are its own (a receiver that hangs holds no socket another
   * subscription to the same host needs), reused between its events, and closed when the round ends.
   */
  session(): WebhookSession {
    return new WebhookSession(this.policy, this.timeoutMs);
  }
}

export class WebhookSession {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;

  constructor(
    private readonly policy: TargetPolicy,
    private readonly timeoutMs: number,
  ) {
    const options = { keepAlive: true, maxSockets: SOCKETS_PER_SESSION, ...agentOptions(policy) };
    this.httpAgent = new RequestFilteringHttpAgent(options);
    this.httpsAgent = new RequestFilteringHttpsAgent(options);
  }

  /** One attempt; `cancelled` (the round's activity given up) aborts it as the time limit does. */
  post(target: string, body: string, headers: Record<string, string>, cancelled?: AbortSignal): Promise<AttemptOutcome> {
    const started = performance.now();
    const done = (statusCode: number | null, error: string | null): AttemptOutcome => ({
      statusCode,
      error,
      durationMs: Math.round(performance.now() - started),
    });
    const url = new URL(target);
    // The name itself is not judged here: the agent judges the address it resolves to, as it connects.
    const refused = refusedUrl(url, this.policy);
    if (refused) return Promise.resolve(done(null, `URL ${refused}`));
    const send = url.protocol === 'https:' ? https.request : http.request;
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = cancelled ? AbortSignal.any([timeout, cancelled]) : timeout;
    return new Promise<AttemptOutcome>((resolve) => {
      // A literal address the policy refuses was turned away above; the agent's own check of one may throw here.
      let req: http.ClientRequest;
      try {
        req = send(
          url,
          {
            method: 'POST',
            agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent,
            headers: { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)), ...headers },
            signal,
          },
          (res) => {
            let read = 0;
            res.on('data', (chunk: Buffer) => {
              read += chunk.length;
              if (read > MAX_ANSWER_BYTES) res.destroy();
            });
            const status = res.statusCode ?? null;
            const ok = status !== null && status >= 200 && status < 300;
            const settle = () => resolve(done(status, ok ? null : `answered ${status}`));
            res.on('end', settle);
            res.on('error', settle);
            res.on('close', settle);
          },
        );
      } catch (err) {
        resolve(done(null, describe(err as NodeJS.ErrnoException, this.timeoutMs, timeout)));
        return;
      }
      req.on('error', (err: NodeJS.ErrnoException) => resolve(done(null, describe(err, this.timeoutMs, timeout))));
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/** As many as a round sends at once (activities/webhooks.ts), so no attempt waits for a socket. */
const SOCKETS_PER_SESSION = 8;
const MAX_ANSWER_BYTES = 64 * 1024;

/** A failure in words for the delivery log: never the URL (it may carry a token) nor the body. */
function describe(err: NodeJS.ErrnoException, timeoutMs: number, timeout: AbortSignal): string {
  if (err.name === 'AbortError' || err.name === 'TimeoutError') {
    return timeout.aborted ? `no answer within ${timeoutMs} ms` : 'given up: the round was cancelled';
  }
  if (/is not allowed/.test(err.message)) return 'refused: the address it resolves to is private, loopback or link-local';
  if (err.code === 'ECONNREFUSED') return 'connection refused';
  if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return 'the host name does not resolve';
  if (err.code === 'ECONNRESET') return 'connection reset';
  return err.code ? `network error ${err.code}` : 'network error';
}
