import type { EntityManager } from '@mikro-orm/postgresql';
import { appendAudit, entryOf, verifyChain, type AuditEntry, type AuditInput, type AuditRow } from '../../audit';
import { sqlOf } from '../orm';
import { sqlIn } from './sql-in';

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

  /** Entries oldest first; those of a scope are the ones about crossings at its gates. */
  async list(filter: AuditFilter): Promise<AuditEntry[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: string, ...values: unknown[]) => {
      where.push(clause);
      params.push(...values);
    };
    if (filter.gates) {
      const gates = sqlIn('gate_code', filter.gates);
      add(`crossing_id in (select id from crossing where ${gates.sql})`, ...gates.params);
    }
    if (filter.crossingId) add('crossing_id = ?', filter.crossingId);
    if (filter.actor) add('actor = ?', filter.actor);
    if (filter.from) add('at >= ?', filter.from);
    if (filter.to) add('at < ?', filter.to);
    if (filter.after !== undefined) add('seq > ?', filter.after);
    const rows = await sqlOf(this.em)<AuditRow>(
      `select * from audit_entry ${where.length ? `where ${where.join(' and ')}` : ''} order by seq limit ?`,
      [...params, filter.limit],
    );
    return rows.map(entryOf);
  }

  /** Walks the whole chain and names the first entry that was edited or deleted. */
  async verify() {
    return verifyChain(sqlOf(this.em));
  }
}
