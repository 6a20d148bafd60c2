import type { NotificationStore, DueNotification } from '../infra/db/stores/notifications';
import type { Logger } from '../infra/logger';
import { SmsNotSent, smsAdapterSentence, type SmsAdapter } from '../infra/sms';

/** How often the sender looks for due messages when the last look found less than a full batch. */
export const SEND_INTERVAL_MS = 500;
const BATCH_SIZE = 20;

/**
 * Delivers drivers' SMS from the outbox table, at least once. Messages are written in the transaction of what they
 * tell (infra/db/stores/notifications.ts `enqueueNotifications`); this loop claims the due ones, sends each, and marks
 * it sent or failed. Nothing is lost to an outage: a failed message stays in the table and is tried again with a
 * growing backoff; a sender that dies mid-send leaves its claim to run out, and the message goes again under the same
 * id, which the provider de-duplicates.
 *
 * Any number of worker processes run one each: the claim locks and leases the rows it takes, so two senders never
 * send one message at the same moment. A batch is sent at once (at most one message per phone is in it, so a driver's
 * messages keep their order), and the next batch follows at once when this one was full.
 *
 * Logs carry the message id and event only: never the phone, the text or the plate it names.
 */
export class NotificationSender {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  private stopped = true;
  private failing = false;

  constructor(
    private readonly store: NotificationStore,
    private readonly sms: SmsAdapter,
    private readonly log: Logger,
    private readonly opts: { batchSize?: number; intervalMs?: number } = {},
  ) {}

  /** One pass: claims the due messages and sends them. Answers how many were claimed, sent and failed. */
  async sendDue(): Promise<{ claimed: number; sent: number; failed: number }> {
    const due = await this.store.claimDue(this.opts.batchSize ?? BATCH_SIZE);
    const outcomes = await Promise.all(due.map((message) => this.deliver(message)));
    const sent = outcomes.filter(Boolean).length;
    return { claimed: due.length, sent, failed: due.length - sent };
  }

  /** Starts the loop; logs which adapter is in use. */
  start(): void {
    this.log.info({ adapter: this.sms.name }, smsAdapterSentence(this.sms));
    this.stopped = false;
    this.schedule(0);
  }

  /** Stops the loop after the pass in flight, if any, has marked what it sent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.pass().then((full) => this.schedule(full ? 0 : (this.opts.intervalMs ?? SEND_INTERVAL_MS)));
    }, ms);
  }

  /** A pass of the loop: never throws (PostgreSQL away is logged once, until it is back). Answers whether the batch was full. */
  private async pass(): Promise<boolean> {
    try {
      const { claimed } = await this.sendDue();
      if (this.failing) this.log.info('SMS outbox reachable again');
      this.failing = false;
      return claimed === (this.opts.batchSize ?? BATCH_SIZE);
    } catch (err) {
      if (!this.failing) this.log.warn({ err }, 'cannot claim due SMS (PostgreSQL unreachable?); trying again shortly');
      this.failing = true;
      return false;
    }
  }

  /** Sends one message and records the outcome; answers whether it was sent. */
  private async deliver(message: DueNotification): Promise<boolean> {
    const about = { messageId: message.messageId, event: message.event, attempt: message.attempts + 1 };
    try {
      await this.sms.send(message);
    } catch (err) {
      const error = err instanceof SmsNotSent ? err.message : `the SMS adapter failed (${(err as Error)?.name ?? 'unknown error'})`;
      this.log.warn({ ...about, error }, 'SMS not sent; it is tried again later');
      await this.record(() => this.store.markFailed(message.messageId, error), about);
      return false;
    }
    this.log.info({ ...about, provider: this.sms.name }, 'SMS sent');
    // Unmarked (PostgreSQL away), the message goes again once its claim runs out, under the same id.
    await this.record(() => this.store.markSent(message.messageId, this.sms.name), about);
    return true;
  }

  private async record(mark: () => Promise<void>, about: object): Promise<void> {
    try {
      await mark();
    } catch (err) {
      this.log.warn({ ...about, err }, 'cannot record the SMS outcome; the message is claimed again when its lease runs out');
    }
  }
}
