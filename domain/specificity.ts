/**
 * Rules kept as rows (deadline policies, fee rates) are written for a gate or for every gate (`*`), and for one
 * category or direction or for all (`*`). The most specific row that matches governs: a gate outranks the second key,
 * and either outranks `*`. This is the one statement of that rule; every caller picks rows with it.
 */
export interface Scope {
  gate: string;
  /** The second key: a category (deadline policies) or a direction (fee rates), or `*`. */
  scope: string;
}

export function specificity(row: Scope): number {
  return (row.gate === '*' ? 0 : 2) + (row.scope === '*' ? 0 : 1);
}

/** Whether a row applies to a target: each key equal, or `*`. */
export function applies(row: Scope, target: Scope): boolean {
  return (row.gate === '*' || row.gate === target.gate) && (row.scope === '*' || row.scope === target.scope);
}

/** The row that governs a target, or undefined when none applies. */
export function mostSpecific<T>(rows: readonly T[], target: Scope, scopeOf: (row: T) => Scope): T | undefined {
  let best: T | undefined;
  for (const row of rows) {
    const s = scopeOf(row);
    if (applies(s, target) && (best === undefined || specificity(s) > specificity(scopeOf(best)))) best = row;
  }
  return best;
}

/**
 * The rows more specific than `row` that overlap what it covers: a target `row` applies to is governed by one of
 * them instead wherever that one applies too.
 */
export function overriding<T>(rows: readonly T[], row: Scope, scopeOf: (row: T) => Scope): T[] {
  return rows.filter((other) => {
    const s = scopeOf(other);
    const overlaps =
      (row.gate === '*' || s.gate === '*' || s.gate === row.gate) && (row.scope === '*' || s.scope === '*' || s.scope === row.scope);
    return overlaps && specificity(s) > specificity(row);
  });
}
