import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit, entryOf, verifyChain, type AuditEntry, type AuditInput, type AuditRow } from '../../audit';
import { sqlOf } from '../orm';
import { sqlIn, Where } from './sql-where';

/** What an audit listing may be narrowed to; `gates` is the caller's scope (undefined: every gate). */
export interface AuditFilter {
  gates?: readonly string[];
  crossingId?: string;
  actor?: string;
  from?: string;
  to?: string;
  /** The `seq` of the last entry of the previous page. */
  after?: number;
  limit: number;
}

/** The audit trail's hash chain (infra/audit.ts): appended in the caller's transaction, listed, verified. */
export class AuditTrail {
  constructor(private readonly em: EntityManager) {}

  /** Appends entries, in the transaction of this store's EntityManager when it has one. */
  async append(inputs: AuditInput[]): Promise<void> {
    await appendAudit(sqlOf(this.em), inputs);
  }

  /**
   * Takes the chain's lock (the one `append_audit` takes, migration 0500) for the rest of the caller's transaction,
   * for a writer that will append after it has locked something else: every writer locks the chain first, so none
   * waits for another in a circle.
   */
  async lockChain(): Promise<void> {
    await sqlOf(this.em)('select pg_advisory_xact_lock(4240117)');
  }

  /** Entries oldest first; those of a scope are the ones about crossings at its gates. */
  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const where = new Where();
    if (filter.gates) {
      const gates = sqlIn('gate_code', filter.gates);
      where.add(`crossing_id in (select id from crossing where ${gates.sql})`, ...gates.params);
    }
    if (filter.crossingId) where.add('crossing_id = ?', filter.crossingId);
    if (filter.actor) where.add('actor = ?', filter.actor);
    if (filter.from) where.add('at >= ?', filter.from);
    if (filter.to) where.add('at < ?', filter.to);
    if (filter.after !== undefined) where.add('seq > ?', filter.after);
    const rows = await sqlOf(this.em)<AuditRow>(`select * from audit_entry where ${where.sql} order by seq limit ?`, [
      ...where.params,
      filter.limit,
    ]);
    return rows.map(entryOf);
  }

  /** Walks the whole chain and names the first entry that was edited or deleted. */
  async verify() {
    return verifyChain(sqlOf(this.em));
  }
}
