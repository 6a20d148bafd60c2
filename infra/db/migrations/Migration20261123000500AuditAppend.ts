import { Migration } from '@mikro-orm/migrations';

/**
 * The audit chain's append as one database function, so a writer appends in one round trip instead of four (lock,
 * look up retried entries, read the chain's head, insert), and the crossing's read-model write becomes a single
 * statement. Callers compute each entry's digest; the function numbers the entries, links them to the head and hashes
 * them exactly as `hashOf` in infra/audit.ts does (which `verifyChain` uses to check the chain independently).
 *
 * `entries` is a JSON array of {at, actor, action, crossingId, digest, sourceKey}, `at` as JavaScript's ISO string.
 */
export class Migration20261123000500AuditAppend extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create function append_audit(entries jsonb) returns void language plpgsql as $fn$
      declare
        entry jsonb;
        next_seq bigint;
        prev text;
        chained text;
      begin
        if entries is null or jsonb_array_length(entries) = 0 then
          return;
        end if;
        -- Every writer, in every process, takes the same transaction-scoped lock: the chain never forks.
        perform pg_advisory_xact_lock(4240117);
        select seq, hash into next_seq, prev from audit_entry order by seq desc limit 1;
        next_seq := coalesce(next_seq, 0);
        prev := coalesce(prev, repeat('0', 64));
        for entry in select value from jsonb_array_elements(entries) loop
          -- A retried writer appends a fact once.
          continue when entry->>'sourceKey' is not null
            and exists (select 1 from audit_entry where source_key = entry->>'sourceKey');
          next_seq := next_seq + 1;
          chained := encode(sha256(convert_to(concat(
            prev, '|', next_seq::text, '|', entry->>'at', '|', entry->>'actor', '|', entry->>'action', '|',
            coalesce(entry->>'crossingId', ''), '|', entry->>'digest'), 'UTF8')), 'hex');
          insert into audit_entry (seq, at, actor, action, crossing_id, digest, prev_hash, hash, source_key)
          values (next_seq, (entry->>'at')::timestamptz, entry->>'actor', entry->>'action', (entry->>'crossingId')::uuid,
                  entry->>'digest', prev, chained, entry->>'sourceKey');
          prev := chained;
        end loop;
      end
      $fn$`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop function if exists append_audit(jsonb)`);
  }
}
