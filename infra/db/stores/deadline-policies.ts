import type { EntityManager } from '@mikro-orm/postgresql';
import type { Category } from '../../../domain/category';
import {
  DEFAULT_DEADLINES,
  validDeadlines,
  type DeadlinePolicies,
  type DeadlinePolicyRow,
  type DeadlinePolicyEdit,
} from '../../../domain/deadline-policy';
import type { DeadlinePolicyChange } from '../../../domain/deadline-policy-change';
import { parseDuration } from '../../../domain/durations';
import { mostSpecific, overriding, type Scope } from '../../../domain/specificity';
import { DECISION_STEPS, type DecisionStep } from '../../../domain/steps';
import { appendAudit } from '../../audit';
import { sqlOf } from '../orm';
import { Where } from './sql-where';

interface Row {
  gate: string;
  category: Category | '*';
  step: DecisionStep;
  sla: string;
  expire_after: string;
  version: number;
  updated_by: string | null;
  updated_at: Date | string;
}

const scopeOf = (row: Pick<Row, 'gate' | 'category'>): Scope => ({ gate: row.gate, scope: row.category });

const toPolicyRow = (r: Row): DeadlinePolicyRow => ({
  gate: r.gate,
  category: r.category,
  step: r.step,
  sla: r.sla,
  expireAfter: r.expire_after,
  version: r.version,
  updatedBy: r.updated_by,
  updatedAt: new Date(r.updated_at).toISOString(),
});

/**
 * Whether a stored row can govern a crossing (domain/deadline-policy.ts): one that cannot (written around the API's
 * validation) is passed over, both when a crossing reads its policies and when a change looks for the crossings it
 * governs, so the two agree on which row applies.
 */
const canGovern = (row: Pick<Row, 'sla' | 'expire_after'>) =>
  validDeadlines(parseDuration(row.sla), parseDuration(row.expire_after)) !== null;

/**
 * SQL for the stamp of (gate, category): the id of the newest policy version that could govern it. Every policy change
 * inserts a version row, so a different stamp means some rule for this crossing may have changed. The read-model write
 * returns it too (read-model.ts), so a crossing learns of a change with the write it makes anyway.
 */
export const POLICY_STAMP_SQL = `(select coalesce(max(id), 0)::text from deadline_policy_version
                                   where gate in (?, '*') and category in (?, '*'))`;

/** Deadline policies (step timeouts in the API's words): stored rows, their versions, and what they govern. */
export class DeadlinePolicyStore {
  constructor(private readonly em: EntityManager) {}

  /**
   * Every step's policy for a gate and category, each the most specific row that can govern, read with its stamp in
   * one statement so the two agree. A row that cannot govern (written around the API's validation) is passed over for
   * the next most specific; a step left with none keeps the built-in default.
   */
  async forCrossing(
    gate: string,
    category: Category,
    onPassedOver?: (row: { step: DecisionStep; gate: string; category: Category | '*' }) => void,
  ): Promise<DeadlinePolicies> {
    const rows = await sqlOf(this.em)<Row & { stamp: string }>(
      `select *, ${POLICY_STAMP_SQL} as stamp from deadline_policy where gate in (?, '*') and category in (?, '*')`,
      [gate, category, gate, category],
    );
    const usable = rows.filter((row) => {
      if (canGovern(row)) return true;
      onPassedOver?.({ step: row.step, gate: row.gate, category: row.category });
      return false;
    });
    const steps: DeadlinePolicies['steps'] = {};
    for (const step of DECISION_STEPS) {
      const row = mostSpecific(
        usable.filter((r) => r.step === step),
        { gate, scope: category },
        scopeOf,
      );
      const fallback = DEFAULT_DEADLINES[step];
      steps[step] = row
        ? { slaMs: parseDuration(row.sla)!, expireAfterMs: parseDuration(row.expire_after)!, version: row.version }
        : { slaMs: parseDuration(fallback.sla)!, expireAfterMs: parseDuration(fallback.expireAfter)!, version: 0 };
    }
    return { category, stamp: rows[0]?.stamp ?? '0', steps };
  }

  async list(): Promise<DeadlinePolicyRow[]> {
    return (await sqlOf(this.em)<Row>('select * from deadline_policy order by step, gate, category')).map(toPolicyRow);
  }

  async history(): Promise<DeadlinePolicyRow[]> {
    return (await sqlOf(this.em)<Row>('select * from deadline_policy_version order by updated_at desc, id desc')).map(toPolicyRow);
  }

  /**
   * Sets a row, keeping every version with who and when, audited, in one transaction. Setting what is already in force
   * changes nothing and keeps its version, so a retried request does not make a second version.
   */
  async set(change: DeadlinePolicyChange, by: string, at: Date): Promise<DeadlinePolicyRow> {
    return this.em.transactional(async (tx) => {
      const sql = sqlOf(tx);
      const [saved] = await sql<Row>(
        `insert into deadline_policy (gate, category, step, sla, expire_after, version, updated_by, updated_at)
         values (?, ?, ?, ?, ?, 1, ?, ?)
         on conflict (gate, category, step) do update set sla = excluded.sla, expire_after = excluded.expire_after,
           version = deadline_policy.version + 1, updated_by = excluded.updated_by, updated_at = excluded.updated_at
         where (deadline_policy.sla, deadline_policy.expire_after) is distinct from (excluded.sla, excluded.expire_after)
         returning *`,
        [change.gate, change.category, change.step, change.sla, change.expireAfter, by, at],
      );
      if (!saved) {
        const [current] = await sql<Row>('select * from deadline_policy where gate = ? and category = ? and step = ?', [
          change.gate,
          change.category,
          change.step,
        ]);
        return toPolicyRow(current);
      }
      await sql(
        `insert into deadline_policy_version (gate, category, step, sla, expire_after, version, updated_by, updated_at)
         values (?, ?, ?, ?, ?, ?, ?, ?)`,
        [saved.gate, saved.category, saved.step, saved.sla, saved.expire_after, saved.version, by, at],
      );
      await appendAudit(sql, [{ at, actor: by, action: 'DEADLINE_POLICY_CHANGED', details: toPolicyRow(saved) }]);
      return toPolicyRow(saved);
    });
  }

  /**
   * The running crossings a policy row governs: waiting at its step (for an agency or, after a RETURN, for the
   * declarant), matching its gate and category, and not governed by a more specific row. The fan-out reaches them a
   * page at a time by id.
   */
  async governedCrossings(
    change: Pick<DeadlinePolicyEdit, 'gate' | 'category' | 'step'>,
    page: { after?: string; limit?: number; startedSince?: string } = {},
  ): Promise<string[]> {
    const where = await this.governed(change, page);
    const rows = await sqlOf(this.em)<{ id: string }>(`select c.id from crossing c where ${where.sql} order by c.id limit ?`, [
      ...where.params,
      page.limit ?? 1_000_000,
    ]);
    return rows.map((r) => r.id);
  }

  /** How many running crossings a policy row governs (`governedCrossings`), for the API's answer. */
  async countGoverned(change: Pick<DeadlinePolicyEdit, 'gate' | 'category' | 'step'>): Promise<number> {
    const where = await this.governed(change, {});
    const [row] = await sqlOf(this.em)<{ n: number }>(`select count(*)::int as n from crossing c where ${where.sql}`, where.params);
    return row.n;
  }

  private async governed(
    change: Pick<DeadlinePolicyEdit, 'gate' | 'category' | 'step'>,
    page: { after?: string; startedSince?: string },
  ): Promise<Where> {
    const stored = await sqlOf(this.em)<Row>('select gate, category, sla, expire_after from deadline_policy where step = ?', [change.step]);
    // A more specific row that cannot govern does not take crossings away from this one (as in `forCrossing`).
    const others = stored.filter(canGovern);
    const where = new Where(`c.status in ('IN_PROGRESS', 'AWAITING_CORRECTION')`).add('c.current_step = ?', change.step);
    if (change.gate !== '*') where.add('c.gate_code = ?', change.gate);
    if (change.category !== '*') where.add('c.category = ?', change.category);
    // Where a more specific row applies, that row governs instead.
    for (const row of overriding(others, scopeOf(change), scopeOf)) {
      if (row.gate !== '*' && row.category !== '*') where.add('not (c.gate_code = ? and c.category = ?)', row.gate, row.category);
      else if (row.gate !== '*') where.add('c.gate_code <> ?', row.gate);
      else where.add('c.category <> ?', row.category);
    }
    if (page.after) where.add('c.id > ?', page.after);
    if (page.startedSince) where.add('c.step_started_at >= ?', page.startedSince);
    return where;
  }
}
