/**
 * `column in (?, ?, …)` with one placeholder per value (knex spreads an array bound to a single `?` into a list, so the
 * placeholders are written out), or `false` for no values: an empty list matches nothing, never everything. This is
 * how a caller's gates narrow a query (domain/roles.ts, `gateScope`), and any other list filter.
 */
export function sqlIn(column: string, values: readonly unknown[]): { sql: string; params: unknown[] } {
  return values.length ? { sql: `${column} in (${values.map(() => '?').join(', ')})`, params: [...values] } : { sql: 'false', params: [] };
}

/** A `where` clause built from a query's filters: each condition with its own values, all of them joined by `and`. */
export class Where {
  private readonly conditions: string[];
  readonly params: unknown[] = [];

  constructor(...conditions: string[]) {
    this.conditions = conditions;
  }

  add(condition: string, ...values: unknown[]): this {
    this.conditions.push(condition);
    this.params.push(...values);
    return this;
  }

  /** `column in (…values)`, as `sqlIn` writes it. */
  in(column: string, values: readonly unknown[]): this {
    const list = sqlIn(column, values);
    return this.add(list.sql, ...list.params);
  }

  /** The conditions joined by `and` (`true` when there are none), to follow `where`. */
  get sql(): string {
    return this.conditions.length ? this.conditions.join(' and ') : 'true';
  }
}
