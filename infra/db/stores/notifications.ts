import type { EntityManager } from '@mikro-orm/postgresql';
import type { NotificationDraft, NotificationEvent, SmsLanguage } from '../../../domain/notifications';
import type { Sql } from '../../audit';
import { sqlOf } from '../orm';

/** A message the sender has claimed: its lease runs until it is marked sent or failed, or for `CLAIM_LEASE_SECONDS`. */
export interface DueNotification extends NotificationDraft {
  /** Sends tried before this one. */
  attempts: number;
}

/** A message as the development outbox lists it. */
export interface OutboxMessage extends NotificationDraft {
  createdAt: string;
  sentAt: string | null;
  attempts: number;
}

/**
 * How long a claimed message is kept from other senders. A sender sends its whole batch at once and each send gives up
 * after 10 s (infra/sms.ts), so a live sender marks every row well within it; a sender that died holding rows leaves
 * them to be sent again, under the same message id, once the lease runs out.
 */
export const CLAIM_LEASE_SECONDS = 60;

/** A failed message waits 1 s, then 2, 4, … and at most this long before it is tried again: none is ever given up. */
export const MAX_BACKOFF_SECONDS = 300;

/** The longest failure sentence kept; a sentence is the adapter's, never the provider's answer. */
const ERROR_MAX = 300;

/**
 * Writes messages to drivers in the caller's transaction (the queue's call, a closure), so a message is stored exactly
 * when what it tells is: one statement, and a message id already stored is kept as it is (a retried transaction tells
 * nothing twice).
 */
export async function enqueueNotifications(sql: Sql, drafts: NotificationDraft[]): Promise<void> {
  if (drafts.length === 0) return;
  await sql(
    `insert into notification (message_id, crossing_id, gate_code, event, phone, language, body)
     select d."messageId", d."crossingId", d.gate, d.event, d.phone, d.language, d.body
       from jsonb_to_recordset(?::jsonb)
            as d("messageId" text, "crossingId" uuid, gate text, event text, phone text, language text, body text)
     on conflict (message_id) do nothing`,
    [JSON.stringify(drafts)],
  );
}

/**
 * The SMS outbox (`notification`): messages written by `enqueueNotifications`, claimed and sent by the worker's sender
 * (worker/notification-sender.ts) at least once, and listed for developers at `GET /dev/notifications`.
 */
export class NotificationStore {
  constructor(private readonly em: EntityManager) {}

  /** `enqueueNotifications` in this store's transaction. */
  enqueue(drafts: NotificationDraft[]): Promise<void> {
    return enqueueNotifications(sqlOf(this.em), drafts);
  }

  /**
   * Up to `limit` messages due now, each leased to this sender: one statement, so the rows are locked and leased in one
   * transaction. `skip locked` passes over rows another sender is claiming at this moment, and the lease (a later
   * `next_attempt_at`) keeps them from every other sender once this one commits; so two senders never send one row
   * at once. A message waits while an earlier one to the same phone is unsent: a driver reads them in the order they
   * were written (a closure before its reopening), and at most one per phone is in a batch. So only each phone's
   * oldest unsent message (`heads`, read through notification_unsent_phone_idx) may be claimed: one pass over the
   * unsent messages, where comparing each with every earlier one was quadratic in a phone's backlog.
   */
  async claimDue(limit: number): Promise<DueNotification[]> {
    const rows = await sqlOf(this.em)<NotificationRow & { attempts: number }>(
      `with heads as (
         select distinct on (phone) message_id, next_attempt_at, created_at from notification
          where sent_at is null
          order by phone, created_at, message_id
       ), due as (
         select n.message_id from notification n join heads h on h.message_id = n.message_id
          where h.next_attempt_at <= now()
          order by h.next_attempt_at, h.created_at
          limit ?
          for update of n skip locked
       )
       update notification n set next_attempt_at = now() + ? * interval '1 second'
         from due where n.message_id = due.message_id
       returning n.message_id, n.crossing_id, n.gate_code, n.event, n.phone, n.language, n.body, n.attempts`,
      [limit, CLAIM_LEASE_SECONDS],
    );
    return rows.map((r) => ({ ...message(r), attempts: r.attempts }));
  }

  /** The provider has it. A message already marked (a second sender after a lease ran out) keeps its first mark. */
  async markSent(messageId: string, provider: string): Promise<void> {
    // A driver's link is a bearer token: once a real provider has the SMS, the copy kept here loses it, so that a
    // copy of the database opens no crossing. The development outbox keeps it whole: it is the only way a developer
    // reads the message (`GET /dev/notifications`), and a development database holds no real trip.
    await sqlOf(this.em)(
      `update notification set sent_at = now(), provider = ?, attempts = attempts + 1, last_error = null,
              body = case when event = 'DRIVER_LINK' and ? <> 'outbox' then regexp_replace(body, 'drv_[A-Za-z0-9_-]+', 'drv_…', 'g')
                          else body end
        where message_id = ? and sent_at is null`,
      [provider, provider, messageId],
    );
  }

  /**
   * The send failed: tried again after a backoff that doubles with each attempt, up to `MAX_BACKOFF_SECONDS`. `error`
   * is the sentence of what failed (infra/sms.ts `SmsNotSent`); any run of digits long enough to be a phone number is
   * masked before it is kept, whatever the caller passed.
   */
  async markFailed(messageId: string, error: string): Promise<void> {
    const sentence = error.replace(/\+?\d[\d\s.-]{6,}\d/g, '[number]').slice(0, ERROR_MAX);
    await sqlOf(this.em)(
      `update notification
          set attempts = attempts + 1, last_error = ?,
              next_attempt_at = now() + least(power(2, least(attempts, 9)), ?) * interval '1 second'
        where message_id = ? and sent_at is null`,
      [sentence, MAX_BACKOFF_SECONDS, messageId],
    );
  }

  /** Messages newest first, sent or still waiting, to one phone or to any. */
  async outbox(opts: { phone?: string; limit: number }): Promise<OutboxMessage[]> {
    const rows = await sqlOf(this.em)<NotificationRow & { created_at: Date; sent_at: Date | null; attempts: number }>(
      `select message_id, crossing_id, gate_code, event, phone, language, body, created_at, sent_at, attempts
         from notification
        where ?::text is null or phone = ?
        order by created_at desc, message_id desc
        limit ?`,
      [opts.phone ?? null, opts.phone ?? null, opts.limit],
    );
    return rows.map((r) => ({
      ...message(r),
      createdAt: new Date(r.created_at).toISOString(),
      sentAt: r.sent_at === null ? null : new Date(r.sent_at).toISOString(),
      attempts: r.attempts,
    }));
  }
}

interface NotificationRow {
  message_id: string;
  crossing_id: string | null;
  gate_code: string;
  event: NotificationEvent;
  phone: string;
  language: SmsLanguage;
  body: string;
}

function message(r: NotificationRow): NotificationDraft {
  return {
    messageId: r.message_id,
    crossingId: r.crossing_id,
    gate: r.gate_code,
    event: r.event,
    phone: r.phone,
    language: r.language,
    body: r.body,
  };
}
