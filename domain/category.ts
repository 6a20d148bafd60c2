import type { Declaration } from './declaration';

export const CATEGORIES = ['PRIORITY', 'TRANSSHIPMENT', 'EXPORT', 'IMPORT'] as const;
export type Category = (typeof CATEGORIES)[number];

/** PRIORITY when flagged (perishable, emergency, diplomatic), else TRANSSHIPMENT (sang tải), else the direction. */
export function categoryOf(declaration: Pick<Declaration, 'priority' | 'transshipment' | 'direction'>): Category {
  if (declaration.priority) return 'PRIORITY';
  if (declaration.transshipment) return 'TRANSSHIPMENT';
  return declaration.direction;
}
