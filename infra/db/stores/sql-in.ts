/**
 * `column in (?, ?, …)` with one placeholder per value (knex spreads an array bound to a single `?` into a list, so the
 * placeholders are written out), or `false` for no values: an empty list matches nothing, never everything. This is
 * how a caller's gates narrow a query (domain/roles.ts, `gateScope`), and any other list filter.
 */
export function sqlIn(column: string, values: readonly unknown[]): { sql: string; params: unknown[] } {
  return values.length ? { sql: `${column} in (${values.map(() => '?').join(', ')})`, params: [...values] } : { sql: 'false', params: [] };
}
