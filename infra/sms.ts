import type { SmsLanguage } from '../domain/notifications';
import type { Config } from './config';

/** One SMS as an adapter sends it; `messageId` is the same on every attempt, so the provider can de-duplicate. */
export interface SmsMessage {
  messageId: string;
  phone: string;
  language: SmsLanguage;
  body: string;
}

/**
 * Where drivers' SMS go. `send` resolves once the provider has the message and throws when it may not have it; the
 * sender (worker/notification-sender.ts) then tries again later with the same message id. `name` is recorded with
 * each sent message.
 */
export interface SmsAdapter {
  readonly name: string;
  send(message: SmsMessage): Promise<void>;
}

/**
 * A send that did not reach the provider, or whose answer was not a yes. Its message is a sentence fit for the
 * database and the logs: a status, an error code or a timeout, never the phone, the text or the provider's answer
 * (which may quote either).
 */
export class SmsNotSent extends Error {
  override name = 'SmsNotSent';
}

/**
 * Development, on one machine: nothing leaves it. The message, marked sent with provider `outbox`, is the outbox a
 * developer reads at `GET /dev/notifications`.
 */
export class DevOutboxSms implements SmsAdapter {
  readonly name = 'outbox';

  async send(): Promise<void> {
    // Nothing leaves the machine: the row the sender marks sent is the outbox.
  }
}

/** How long the provider may take to answer before the send counts as failed (and is tried again). */
export const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * A provider over HTTP: `POST SMS_PROVIDER_URL` with `{messageId, to, language, text}`, `Idempotency-Key: <messageId>`
 * and, when given, `Authorization: Bearer SMS_PROVIDER_TOKEN`. A 2xx answer means sent; any other answer, a network
 * error or no answer within the timeout throws `SmsNotSent`. A message sent but whose answer was lost is sent again
 * with the same id and key: the provider keeps it once.
 */
export class HttpSmsProvider implements SmsAdapter {
  readonly name: string;
  readonly #url: string;
  // A private field: a logged or inspected adapter never shows it.
  readonly #token: string | undefined;
  readonly #timeoutMs: number;

  constructor(opts: { url: string; token?: string; timeoutMs?: number }) {
    this.#url = opts.url;
    this.#token = opts.token;
    this.#timeoutMs = opts.timeoutMs ?? PROVIDER_TIMEOUT_MS;
    this.name = `http:${new URL(opts.url).host}`;
  }

  async send(message: SmsMessage): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.#url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': message.messageId,
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body: JSON.stringify({ messageId: message.messageId, to: message.phone, language: message.language, text: message.body }),
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
      // Read to the end, so the connection goes back to the pool; what the provider said is not kept (it may quote the text).
      await res.arrayBuffer();
    } catch (err) {
      throw new SmsNotSent(unreachable(err, this.#timeoutMs));
    }
    if (res.status < 200 || res.status > 299) throw new SmsNotSent(`the SMS provider answered ${res.status}`);
  }
}

function unreachable(err: unknown, timeoutMs: number): string {
  const name = (err as Error | undefined)?.name;
  if (name === 'TimeoutError' || name === 'AbortError') return `the SMS provider did not answer within ${timeoutMs / 1000} s`;
  const code = ((err as { cause?: { code?: unknown } } | undefined)?.cause?.code ?? '') as string;
  return `the SMS provider could not be reached${/^[A-Z_]+$/.test(code) ? ` (${code})` : ''}`;
}

/**
 * The adapter the configuration asks for: the provider at SMS_PROVIDER_URL, else the development outbox. Production
 * refuses the outbox: messages marked sent that no one sent would be lost without a trace.
 */
export function smsAdapterFromConfig(config: Pick<Config, 'production' | 'smsProviderUrl' | 'smsProviderToken'>): SmsAdapter {
  if (config.smsProviderUrl) return new HttpSmsProvider({ url: config.smsProviderUrl, token: config.smsProviderToken });
  if (config.production) throw new Error('SMS_PROVIDER_URL must be set in production: the development outbox sends no SMS');
  return new DevOutboxSms();
}

/** The one line a worker logs at start about where SMS go (the provider's host; never its token). */
export function smsAdapterSentence(adapter: SmsAdapter): string {
  return adapter instanceof DevOutboxSms
    ? 'SMS: development outbox; set SMS_PROVIDER_URL to send through a provider'
    : `SMS: sent through the provider (${adapter.name})`;
}
