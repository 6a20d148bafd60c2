import { Migration } from '@mikro-orm/migrations';

/**
 * The SMS sender's claim (infra/db/stores/notifications.ts `claimDue`) takes the oldest unsent message of each phone:
 * this index holds the unsent messages in that order, so the claim reads only them, however many sent ones the
 * outbox keeps. The claim it replaces compared every unsent message with every earlier one to the same phone: with
 * 9,548 waiting for one phone it took 5 s a poll, twice a second, and PostgreSQL spent a core on it.
 */
export class Migration20261203000100NotificationHeads extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index notification_unsent_phone_idx on notification (phone, created_at, message_id) where sent_at is null`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index notification_unsent_phone_idx`);
  }
}
